<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU" sourcelanguage="en">
<context>
    <name>AuthorLists</name>
    <message>
        <source>@handle or user id, one per line</source>
        <translation>@имя или id пользователя, по одному в строке</translation>
    </message>
    <message>
        <source>Blocked authors</source>
        <translation>Заблокированные авторы</translation>
    </message>
    <message>
        <source>One author per line: the network&apos;s user id or a handle such as @anna. Routing rules can send VIP authors&apos; cases first and set blocked authors&apos; cases aside as spam.</source>
        <translation>Один автор в строке: id пользователя в сети или имя вида @anna. Правила маршрутизации могут ставить обращения VIP-авторов первыми, а обращения заблокированных авторов — откладывать как спам.</translation>
    </message>
    <message>
        <source>Saved: {vip} VIP, {blocked} blocked.</source>
        <translation>Сохранено: VIP — {vip}, заблокировано — {blocked}.</translation>
    </message>
    <message>
        <source>VIP and block lists</source>
        <translation>VIP и чёрный список</translation>
    </message>
    <message>
        <source>VIP authors</source>
        <translation>VIP-авторы</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>A reply failed: {error}</source>
        <translation>Ответ не отправлен: {error}</translation>
    </message>
    <message>
        <source>A reply may not have gone out: {reason} — check before resending</source>
        <translation>Ответ мог не уйти: {reason} — проверьте, прежде чем отправлять снова</translation>
    </message>
    <message>
        <source>Assigned to {assignee} {who}</source>
        <translation>Назначено на {assignee} {who}</translation>
    </message>
    <message>
        <source>Assignee: {assignee}</source>
        <translation>Исполнитель: {assignee}</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Комментарий</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <source>Department SLA breached: {department} has not answered the handoff in time</source>
        <translation>SLA отдела нарушено: отдел {department} не ответил вовремя на переданное обращение</translation>
    </message>
    <message>
        <source>Department SLA warning: {department} should answer the handoff soon</source>
        <translation>SLA отдела: отделу {department} пора ответить на переданное обращение</translation>
    </message>
    <message>
        <source>Department: {department}</source>
        <translation>Отдел: {department}</translation>
    </message>
    <message>
        <source>Direct message</source>
        <translation>Личное сообщение</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Handed off to {department}</source>
        <translation>Передано в {department}</translation>
    </message>
    <message>
        <source>Mention</source>
        <translation>Упоминание</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Новое</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Сообщений пока нет</translation>
    </message>
    <message>
        <source>No response owed</source>
        <translation>Ответ не требуется</translation>
    </message>
    <message>
        <source>Note {who}: {text}</source>
        <translation>Заметка {who}: {text}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Открыто</translation>
    </message>
    <message>
        <source>Open on the network</source>
        <translation>Открыть в соцсети</translation>
    </message>
    <message>
        <source>Open on {network}</source>
        <translation>Открыть в {network}</translation>
    </message>
    <message>
        <source>Opening the case…</source>
        <translation>Открываем обращение…</translation>
    </message>
    <message>
        <source>Priority {old} → {new} {who}</source>
        <translation>Приоритет {old} → {new} {who}</translation>
    </message>
    <message>
        <source>Priority: {priority}</source>
        <translation>Приоритет: {priority}</translation>
    </message>
    <message>
        <source>Queued · waiting in the outbox</source>
        <translation>В очереди · ждёт в исходящих</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Решено</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Отзыв</translation>
    </message>
    <message>
        <source>Routed to {department} {how}</source>
        <translation>Направлено в {department} {how}</translation>
    </message>
    <message>
        <source>SLA breached: {target} overdue</source>
        <translation>SLA просрочено: {target}</translation>
    </message>
    <message>
        <source>SLA warning: {target} due soon</source>
        <translation>SLA: скоро срок — {target}</translation>
    </message>
    <message>
        <source>Select a case in the queue to read and answer it.</source>
        <translation>Выберите обращение в очереди, чтобы прочитать его и ответить.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Отправка…</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Спам</translation>
    </message>
    <message>
        <source>Status {old} → {new} {who}</source>
        <translation>Статус {old} → {new} {who}</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>Статус: {status}</translation>
    </message>
    <message>
        <source>Tagged {tags} {who}</source>
        <translation>Метки {tags} {who}</translation>
    </message>
    <message>
        <source>The handoff to {department} failed: {error}</source>
        <translation>Не удалось передать обращение в отдел {department}: {error}</translation>
    </message>
    <message>
        <source>This case is no longer in the workspace.</source>
        <translation>Этого обращения больше нет в рабочем пространстве.</translation>
    </message>
    <message>
        <source>Unassigned {who}</source>
        <translation>Исполнитель снят {who}</translation>
    </message>
    <message>
        <source>Uncertain · check before resending</source>
        <translation>Неясно · проверьте, прежде чем отправлять снова</translation>
    </message>
    <message>
        <source>Unknown customer</source>
        <translation>Неизвестный клиент</translation>
    </message>
    <message>
        <source>Us</source>
        <translation>Мы</translation>
    </message>
    <message>
        <source>Waiting on customer</source>
        <translation>Ждёт клиента</translation>
    </message>
    <message>
        <source>Waiting on department</source>
        <translation>Ждёт отдел</translation>
    </message>
    <message>
        <source>answered outside SMM Desk</source>
        <translation>ответ дан вне SMM Desk</translation>
    </message>
    <message>
        <source>automatically</source>
        <translation>автоматически</translation>
    </message>
    <message>
        <source>by rule “{rule}”</source>
        <translation>правилом «{rule}»</translation>
    </message>
    <message>
        <source>by {name}</source>
        <translation>({name})</translation>
    </message>
    <message>
        <source>composed {time}</source>
        <translation>написан {time}</translation>
    </message>
    <message>
        <source>customer</source>
        <translation>клиент</translation>
    </message>
    <message>
        <source>delivered {time}</source>
        <translation>доставлен {time}</translation>
    </message>
    <message>
        <source>first response</source>
        <translation>первый ответ</translation>
    </message>
    <message>
        <source>handoff to {department}</source>
        <translation>передача в отдел {department}</translation>
    </message>
    <message>
        <source>next response</source>
        <translation>следующий ответ</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>on post {post}</source>
        <translation>к посту {post}</translation>
    </message>
    <message>
        <source>open on the network</source>
        <translation>открыть в соцсети</translation>
    </message>
    <message>
        <source>our reply</source>
        <translation>наш ответ</translation>
    </message>
    <message>
        <source>resolution</source>
        <translation>решение</translation>
    </message>
    <message>
        <source>response</source>
        <translation>ответ</translation>
    </message>
    <message>
        <source>sent from the desk</source>
        <translation>отправлен из SMM Desk</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>(кто-то)</translation>
    </message>
    <message>
        <source>the SLA clock</source>
        <translation>(таймер SLA)</translation>
    </message>
    <message>
        <source>the department</source>
        <translation>отдел</translation>
    </message>
</context>
<context>
    <name>ClustersPanel</name>
    <message numerus="yes">
        <source>%n cluster(s) · {open} open cases</source>
        <translation>
            <numerusform>%n кластер · открытых обращений: {open}</numerusform>
            <numerusform>%n кластера · открытых обращений: {open}</numerusform>
            <numerusform>%n кластеров · открытых обращений: {open}</numerusform>
        </translation>
    </message>
    <message>
        <source>Angry customers, fraud accusations or legal threats are arriving together; consider routing them to PR/Crisis.</source>
        <translation>Одновременно приходят гневные сообщения, обвинения в мошенничестве или угрозы судом; стоит направить их в PR/Crisis.</translation>
    </message>
    <message>
        <source>Answer all</source>
        <translation>Ответить всем</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Обращения</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>Отдел:</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Скрыть</translation>
    </message>
    <message>
        <source>Duplicate clusters</source>
        <translation>Кластеры дубликатов</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Последнее</translation>
    </message>
    <message numerus="yes">
        <source>Mark all %n open case(s) of this cluster as spam?</source>
        <translation>
            <numerusform>Отметить %n открытое обращение этого кластера как спам?</numerusform>
            <numerusform>Отметить все %n открытых обращения этого кластера как спам?</numerusform>
            <numerusform>Отметить все %n открытых обращений этого кластера как спам?</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark all as spam</source>
        <translation>Всё в спам</translation>
    </message>
    <message>
        <source>Mark all spam</source>
        <translation>Всё в спам</translation>
    </message>
    <message numerus="yes">
        <source>Marked %n case(s) as spam.</source>
        <translation>
            <numerusform>%n обращение отмечено как спам.</numerusform>
            <numerusform>%n обращения отмечено как спам.</numerusform>
            <numerusform>%n обращений отмечено как спам.</numerusform>
        </translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Соцсети</translation>
    </message>
    <message>
        <source>No duplicate clusters right now. Near-identical messages arriving across accounts and networks will be grouped here.</source>
        <translation>Кластеров дубликатов сейчас нет. Почти одинаковые сообщения из разных аккаунтов и соцсетей будут собраны здесь.</translation>
    </message>
    <message>
        <source>One reply, sent separately to every open case in this cluster</source>
        <translation>Один ответ, отправляется отдельно в каждое открытое обращение кластера</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Открыто</translation>
    </message>
    <message numerus="yes">
        <source>Possible crisis: %n negative message(s) within {span} on {where}</source>
        <translation>
            <numerusform>Возможный кризис: %n негативное сообщение за {span} в {where}</numerusform>
            <numerusform>Возможный кризис: %n негативных сообщения за {span} в {where}</numerusform>
            <numerusform>Возможный кризис: %n негативных сообщений за {span} в {where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reply queued to %n case(s); each leaves with the outbox.</source>
        <translation>
            <numerusform>Ответ поставлен в очередь для %n обращения; каждый уйдёт из исходящих.</numerusform>
            <numerusform>Ответ поставлен в очередь для %n обращений; каждый уйдёт из исходящих.</numerusform>
            <numerusform>Ответ поставлен в очередь для %n обращений; каждый уйдёт из исходящих.</numerusform>
        </translation>
    </message>
    <message>
        <source>Route all</source>
        <translation>Направить все</translation>
    </message>
    <message numerus="yes">
        <source>Routed %n case(s) to {department}.</source>
        <translation>
            <numerusform>%n обращение направлено в {department}.</numerusform>
            <numerusform>%n обращения направлено в {department}.</numerusform>
            <numerusform>%n обращений направлено в {department}.</numerusform>
        </translation>
    </message>
    <message>
        <source>Show cases</source>
        <translation>Показать обращения</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <source>your accounts</source>
        <translation>ваших аккаунтах</translation>
    </message>
    <message>
        <source>{open} of {size}</source>
        <translation>{open} из {size}</translation>
    </message>
    <message numerus="yes">
        <source>{open} open of {size} cases from %n account(s)</source>
        <translation>
            <numerusform>открыто {open} из {size}, из %n аккаунта</numerusform>
            <numerusform>открыто {open} из {size}, из %n аккаунтов</numerusform>
            <numerusform>открыто {open} из {size}, из %n аккаунтов</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{size} cases from %n account(s) on {networks} · first {first}, last {last}</source>
        <translation>
            <numerusform>Обращений: {size}, из %n аккаунта в {networks} · первое {first}, последнее {last}</numerusform>
            <numerusform>Обращений: {size}, из %n аккаунтов в {networks} · первое {first}, последнее {last}</numerusform>
            <numerusform>Обращений: {size}, из %n аккаунтов в {networks} · первое {first}, последнее {last}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Draft not loaded: {error}</source>
        <translation>Черновик не загружен: {error}</translation>
    </message>
    <message>
        <source>Draft not saved: {error}</source>
        <translation>Черновик не сохранён: {error}</translation>
    </message>
    <message>
        <source>Draft saved</source>
        <translation>Черновик сохранён</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Insert template…</source>
        <translation>Вставить шаблон…</translation>
    </message>
    <message>
        <source>Not queued: {error}</source>
        <translation>Не поставлен в очередь: {error}</translation>
    </message>
    <message>
        <source>Not retried: {error}</source>
        <translation>Повтор не удался: {error}</translation>
    </message>
    <message>
        <source>Put the reply in the outbox (Ctrl+Enter)</source>
        <translation>Поставить ответ в исходящие (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Queue reply</source>
        <translation>В очередь</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>В очереди</translation>
    </message>
    <message>
        <source>Reply queued</source>
        <translation>Ответ в очереди</translation>
    </message>
    <message>
        <source>Reply window closed</source>
        <translation>Окно ответа закрыто</translation>
    </message>
    <message>
        <source>Reply window closed at {time}. {note}</source>
        <translation>Окно ответа закрылось в {time}. {note}</translation>
    </message>
    <message>
        <source>Reply window closed. {note}</source>
        <translation>Окно ответа закрыто. {note}</translation>
    </message>
    <message>
        <source>Reply window closes in {span} (at {time}). {note}</source>
        <translation>Окно ответа закроется через {span} (в {time}). {note}</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Повторить</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Отправка…</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Отправлен</translation>
    </message>
    <message>
        <source>Templates not loaded: {error}</source>
        <translation>Шаблоны не загружены: {error}</translation>
    </message>
    <message>
        <source>The network&apos;s reply window for this conversation has closed. {note}

Queue the reply anyway?</source>
        <translation>Окно ответа в этой переписке закрылось. {note}

Всё равно поставить ответ в очередь?</translation>
    </message>
    <message>
        <source>Uncertain</source>
        <translation>Неясно</translation>
    </message>
    <message>
        <source>Write a reply…</source>
        <translation>Напишите ответ…</translation>
    </message>
    <message>
        <source>check on the network before resending</source>
        <translation>проверьте в соцсети, прежде чем отправлять снова</translation>
    </message>
    <message>
        <source>delivered {time}</source>
        <translation>доставлен {time}</translation>
    </message>
    <message>
        <source>the network refused it</source>
        <translation>соцсеть его отклонила</translation>
    </message>
    <message>
        <source>waiting in the outbox</source>
        <translation>ждёт в исходящих</translation>
    </message>
    <message>
        <source>will retry: {error}</source>
        <translation>будет повтор: {error}</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Continue</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation>Скрыть подробности</translation>
    </message>
    <message>
        <source>No log file is being written.</source>
        <translation>Файл журнала не ведётся.</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Открыть папку журналов</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выйти</translation>
    </message>
    <message>
        <source>SMM Desk must close because of an internal error.</source>
        <translation>SMM Desk нужно закрыть из-за внутренней ошибки.</translation>
    </message>
    <message>
        <source>SMM Desk ran into an internal error.</source>
        <translation>В SMM Desk произошла внутренняя ошибка.</translation>
    </message>
    <message>
        <source>SMM Desk — something went wrong</source>
        <translation>SMM Desk — что-то пошло не так</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Подробности</translation>
    </message>
    <message>
        <source>The app cannot go on. Start it again; nothing that was saved is lost.</source>
        <translation>Приложение не может продолжить работу. Запустите его снова: всё сохранённое на месте.</translation>
    </message>
    <message>
        <source>The details are in the log file:</source>
        <translation>Подробности в файле журнала:</translation>
    </message>
    <message>
        <source>You can continue working. If the problem comes back, quit and start the app again.</source>
        <translation>Можно продолжать работу. Если ошибка повторится, закройте и снова запустите приложение.</translation>
    </message>
    <message>
        <source>Your draft could not be saved ({problem}). Copy it from the reply box before you quit.</source>
        <translation>Черновик сохранить не удалось ({problem}). Скопируйте его из поля ответа, прежде чем выйти.</translation>
    </message>
    <message>
        <source>Your draft is kept: the reply you were writing is saved and will be there when you open the case again.</source>
        <translation>Черновик сохранён: ответ, который вы писали, будет на месте, когда вы снова откроете обращение.</translation>
    </message>
    <message>
        <source>the database refused it</source>
        <translation>база данных его не приняла</translation>
    </message>
</context>
<context>
    <name>Desk</name>
    <message>
        <source>Demo workspace</source>
        <translation>Демо-пространство</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Входящие</translation>
    </message>
</context>
<context>
    <name>HandoffDialog</name>
    <message>
        <source>(no target)</source>
        <translation>(нет адресата)</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Отдел</translation>
    </message>
    <message>
        <source>Goes by</source>
        <translation>Способ</translation>
    </message>
    <message>
        <source>Preview of what will be sent</source>
        <translation>Что будет отправлено</translation>
    </message>
    <message>
        <source>Send case #{id} to a department</source>
        <translation>Передать обращение №{id} в отдел</translation>
    </message>
    <message>
        <source>Send to department</source>
        <translation>Передать в отдел</translation>
    </message>
    <message>
        <source>Subject: {subject}</source>
        <translation>Тема: {subject}</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Кратко</translation>
    </message>
    <message>
        <source>What the department needs to know: the problem, what you checked, what you promised the customer.</source>
        <translation>Что нужно знать отделу: проблема, что вы проверили, что пообещали клиенту.</translation>
    </message>
</context>
<context>
    <name>HelpOverlay</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Сочетания клавиш</translation>
    </message>
    <message>
        <source>Press ? or Esc to close · Change keys in Settings → Shortcuts</source>
        <translation>Закрыть: ? или Esc · Изменить клавиши: Настройки → Клавиши</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n case(s) in {view}</source>
        <translation>
            <numerusform>%n обращение в «{view}»</numerusform>
            <numerusform>%n обращения в «{view}»</numerusform>
            <numerusform>%n обращений в «{view}»</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) in {view} matching “{search}”</source>
        <translation>
            <numerusform>%n обращение в «{view}» по запросу «{search}»</numerusform>
            <numerusform>%n обращения в «{view}» по запросу «{search}»</numerusform>
            <numerusform>%n обращений в «{view}» по запросу «{search}»</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open case(s)</source>
        <translation>
            <numerusform>%n открытое обращение</numerusform>
            <numerusform>%n открытых обращения</numerusform>
            <numerusform>%n открытых обращений</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Desk</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>Сочетания &amp;клавиш</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Выход</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Настройки…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Инструменты</translation>
    </message>
    <message>
        <source>Case {id}</source>
        <translation>Обращение {id}</translation>
    </message>
    <message>
        <source>No open cases</source>
        <translation>Открытых обращений нет</translation>
    </message>
    <message>
        <source>Reconnect the account</source>
        <translation>Переподключите аккаунт</translation>
    </message>
    <message>
        <source>SMM Desk — {workspace}</source>
        <translation>SMM Desk — {workspace}</translation>
    </message>
    <message>
        <source>Search messages  ( / )</source>
        <translation>Поиск по сообщениям  ( / )</translation>
    </message>
    <message>
        <source>Select a case to read it here.</source>
        <translation>Выберите обращение, чтобы прочитать его здесь.</translation>
    </message>
    <message>
        <source>The network no longer accepts this account&apos;s token.

Remove it with:  smm-desk accounts remove {id}
then connect it again with a new token:
  smm-desk accounts add NETWORK --name NAME --token-stdin</source>
        <translation>Соцсеть больше не принимает токен этого аккаунта.

Удалите его командой:  smm-desk accounts remove {id}
и подключите снова с новым токеном:
  smm-desk accounts add NETWORK --name NAME --token-stdin</translation>
    </message>
</context>
<context>
    <name>Network</name>
    <message>
        <source>Email</source>
        <translation>Почта</translation>
    </message>
</context>
<context>
    <name>NetworkGuides</name>
    <message>
        <source>@acme.shop</source>
        <translation>@acme.shop</translation>
    </message>
    <message>
        <source>@acme_shop</source>
        <translation>@acme_shop</translation>
    </message>
    <message>
        <source>@brand@mastodon.social</source>
        <translation>@brand@mastodon.social</translation>
    </message>
    <message>
        <source>@shop_bot</source>
        <translation>@shop_bot</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>Токен доступа</translation>
    </message>
    <message>
        <source>Acme Shop (the Page name)</source>
        <translation>Acme Shop (название страницы)</translation>
    </message>
    <message>
        <source>Acme Shop (the channel name)</source>
        <translation>Acme Shop (название канала)</translation>
    </message>
    <message>
        <source>App password</source>
        <translation>Пароль приложения</translation>
    </message>
    <message>
        <source>At reddit.com/prefs/apps, create an app of type “installed app” with the redirect URI http://127.0.0.1:8765/callback — Reddit wants that exact address, so sign in with loopback port 8765. Give the app&apos;s client id and sign in with the browser as the brand account.</source>
        <translation>На reddit.com/prefs/apps создайте приложение типа «installed app» с redirect URI http://127.0.0.1:8765/callback — Reddit требует именно этот адрес, поэтому входите через локальный порт 8765. Укажите client id приложения и войдите в браузере под аккаунтом бренда.</translation>
    </message>
    <message>
        <source>Bluesky</source>
        <translation>Bluesky</translation>
    </message>
    <message>
        <source>Bot token</source>
        <translation>Токен бота</translation>
    </message>
    <message>
        <source>Community access key</source>
        <translation>Ключ доступа сообщества</translation>
    </message>
    <message>
        <source>Create a Business app at developers.facebook.com with Facebook Login and Messenger, and sign in with the browser using its client id. Or paste a Page access token made from a long-lived user token (Graph API Explorer → Get Page access token): it does not expire. It needs pages_messaging, pages_read_engagement and pages_manage_engagement.</source>
        <translation>Создайте приложение типа Business на developers.facebook.com с Facebook Login и Messenger и войдите в браузере с его client id. Или вставьте токен доступа страницы, полученный из долгосрочного токена пользователя (Graph API Explorer → Get Page access token): он не истекает. Нужны права pages_messaging, pages_read_engagement и pages_manage_engagement.</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Почта</translation>
    </message>
    <message>
        <source>Facebook Pages</source>
        <translation>Страницы Facebook</translation>
    </message>
    <message>
        <source>In Bluesky, open Settings → Privacy and security → App passwords and add one; allow access to direct messages if you answer DMs. Use your handle (for example acme.bsky.social) as the name and paste the app password, never your main password.</source>
        <translation>В Bluesky откройте Settings → Privacy and security → App passwords и добавьте пароль; разрешите доступ к личным сообщениям, если отвечаете на них. В качестве имени укажите свой handle (например, acme.bsky.social) и вставьте пароль приложения — никогда не основной пароль.</translation>
    </message>
    <message>
        <source>In Google Cloud Console, create a project, enable the YouTube Data API v3 and create an OAuth client of type Desktop app. Give its client id and client secret and sign in with the browser as the channel&apos;s owner or manager. While the app is in “Testing”, Google ends its sign-ins after 7 days: publish it for lasting access.</source>
        <translation>В Google Cloud Console создайте проект, включите YouTube Data API v3 и создайте OAuth-клиент типа Desktop app. Укажите его client id и client secret и войдите в браузере как владелец или менеджер канала. Пока приложение в статусе «Testing», Google завершает вход через 7 дней: опубликуйте его для постоянного доступа.</translation>
    </message>
    <message>
        <source>In Telegram, open a chat with @BotFather and send /newbot. Choose a name and a username that ends in “bot”; BotFather replies with the bot token (it looks like 123456:ABC-…). To answer comments under channel posts, add the bot as an admin of the channel&apos;s discussion group.</source>
        <translation>В Telegram откройте чат с @BotFather и отправьте /newbot. Выберите имя и username, оканчивающийся на «bot»; BotFather пришлёт токен бота (вида 123456:ABC-…). Чтобы отвечать на комментарии к постам канала, сделайте бота администратором группы обсуждений канала.</translation>
    </message>
    <message>
        <source>In the X developer portal, create a project and an app, turn on OAuth 2.0 as a Native App and add the loopback callback http://127.0.0.1/callback. Give the app&apos;s client id and sign in with the browser as the brand account; the access token is then refreshed on its own.</source>
        <translation>В портале разработчика X создайте проект и приложение, включите OAuth 2.0 как Native App и добавьте локальный callback http://127.0.0.1/callback. Укажите client id приложения и войдите в браузере под аккаунтом бренда; дальше токен доступа обновляется сам.</translation>
    </message>
    <message>
        <source>In your community, open Manage → API usage → Access tokens and create a key with access to community messages, management and the wall. On the Long Poll API tab, switch Long Poll on and tick incoming messages and wall comments. Paste the key here; it stays valid until you delete it there.</source>
        <translation>В сообществе откройте Управление → Работа с API → Ключи доступа и создайте ключ с доступом к сообщениям сообщества, управлению и стене. На вкладке Long Poll API включите Long Poll и отметьте входящие сообщения и комментарии на стене. Вставьте ключ сюда; он действует, пока вы его там не удалите.</translation>
    </message>
    <message>
        <source>Instagram</source>
        <translation>Instagram</translation>
    </message>
    <message>
        <source>Mastodon</source>
        <translation>Mastodon</translation>
    </message>
    <message>
        <source>On your server, open Preferences → Development → New application. Give it the scopes read and write:statuses, save it, and copy “Your access token”. Put your server&apos;s address (for example https://mastodon.social) in Base URL.</source>
        <translation>На своём сервере откройте Preferences → Development → New application. Дайте приложению права read и write:statuses, сохраните и скопируйте «Your access token». Адрес сервера (например, https://mastodon.social) укажите в поле Base URL.</translation>
    </message>
    <message>
        <source>Only professional (Business or Creator) accounts can be connected. Create an app at developers.facebook.com with the Instagram product and sign in with the browser using its client id, or paste an Instagram user access token. Long-lived tokens last 60 days; SMM Desk refreshes them before they expire.</source>
        <translation>Подключить можно только профессиональные аккаунты (Business или Creator). Создайте приложение на developers.facebook.com с продуктом Instagram и войдите в браузере с его client id или вставьте токен доступа пользователя Instagram. Долгосрочные токены действуют 60 дней; SMM Desk обновляет их заранее.</translation>
    </message>
    <message>
        <source>Page access token</source>
        <translation>Токен доступа страницы</translation>
    </message>
    <message>
        <source>Password or app password</source>
        <translation>Пароль или пароль приложения</translation>
    </message>
    <message>
        <source>Paste the access token the network gave you.</source>
        <translation>Вставьте токен доступа, выданный соцсетью.</translation>
    </message>
    <message>
        <source>Reddit</source>
        <translation>Reddit</translation>
    </message>
    <message>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Токен</translation>
    </message>
    <message>
        <source>Use the mailbox address as the name and its password. Gmail, iCloud, Yahoo and Outlook with two-step verification want an app password instead, made in the account&apos;s security settings. The IMAP and SMTP servers go in the options.</source>
        <translation>В качестве имени укажите адрес ящика, а также его пароль. Gmail, iCloud, Yahoo и Outlook с двухэтапной проверкой требуют вместо него пароль приложения, который создаётся в настройках безопасности аккаунта. Серверы IMAP и SMTP указываются в параметрах.</translation>
    </message>
    <message>
        <source>VK</source>
        <translation>VK</translation>
    </message>
    <message>
        <source>X</source>
        <translation>X</translation>
    </message>
    <message>
        <source>YouTube</source>
        <translation>YouTube</translation>
    </message>
    <message>
        <source>acme.bsky.social</source>
        <translation>acme.bsky.social</translation>
    </message>
    <message>
        <source>club_acme</source>
        <translation>club_acme</translation>
    </message>
    <message>
        <source>support@acme.example</source>
        <translation>support@acme.example</translation>
    </message>
    <message>
        <source>u/acme_support</source>
        <translation>u/acme_support</translation>
    </message>
</context>
<context>
    <name>Priority</name>
    <message>
        <source>High</source>
        <translation>Высокий</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Низкий</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Обычный</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Срочный</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>&lt;1 min</source>
        <translation>&lt;1 мин</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Возраст</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Исполнитель</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Отдел</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>Первый ответ</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Сообщение</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Соцсеть</translation>
    </message>
    <message>
        <source>Next response</source>
        <translation>Следующий ответ</translation>
    </message>
    <message>
        <source>No response owed</source>
        <translation>Ответ не требуется</translation>
    </message>
    <message>
        <source>Opened {time}</source>
        <translation>Открыто {time}</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Решение</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>SLA</translation>
    </message>
    <message>
        <source>breached +{duration}</source>
        <translation>просрочено +{duration}</translation>
    </message>
    <message>
        <source>breached just now</source>
        <translation>просрочено только что</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>пауза</translation>
    </message>
    <message>
        <source>warning {clock} left</source>
        <translation>внимание: {clock}</translation>
    </message>
    <message>
        <source>{clock} left</source>
        <translation>осталось {clock}</translation>
    </message>
    <message>
        <source>{days} d {hours} h</source>
        <translation>{days} д {hours} ч</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} ч {minutes} мин</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} мин</translation>
    </message>
    <message>
        <source>{target} due at {time}</source>
        <translation>{target}: срок в {time}</translation>
    </message>
    <message>
        <source>{target}: paused while waiting for the customer</source>
        <translation>{target}: пауза, пока ждём клиента</translation>
    </message>
</context>
<context>
    <name>QueueService</name>
    <message>
        <source>All open</source>
        <translation>Все открытые</translation>
    </message>
    <message>
        <source>Breaching soon</source>
        <translation>Скоро просрочка</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Закрытые</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Отделы</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>Мои</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Соцсети</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Решённые</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Спам</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Без исполнителя</translation>
    </message>
    <message>
        <source>Waiting on department</source>
        <translation>Ждут отдел</translation>
    </message>
</context>
<context>
    <name>ReplyWindow</name>
    <message>
        <source>{name} lets a business answer within 24 hours of the customer&apos;s last message.</source>
        <translation>{name} позволяет компании ответить в течение 24 часов после последнего сообщения клиента.</translation>
    </message>
    <message>
        <source>{name} only lets a business answer a message: wait for the customer to write.</source>
        <translation>{name} разрешает компании только отвечать на сообщения: дождитесь, пока клиент напишет.</translation>
    </message>
    <message>
        <source>{name} only lets a business reply where the customer mentioned or quoted it, and this customer did not: answer by direct message, or wait until they mention us.</source>
        <translation>{name} позволяет компании отвечать только там, где клиент её упомянул или процитировал, а этот клиент этого не сделал: ответьте в личные сообщения или дождитесь упоминания.</translation>
    </message>
    <message>
        <source>{name}&apos;s 24-hour window and the 7-day HUMAN_AGENT allowance have both passed: the reply will be refused until the customer writes again.</source>
        <translation>В {name} истекли и 24-часовое окно, и 7 дней по метке HUMAN_AGENT: ответ будет отклонён, пока клиент не напишет снова.</translation>
    </message>
    <message>
        <source>{name}&apos;s 24-hour window has closed. A person may still answer with the HUMAN_AGENT tag for up to 7 days after the customer&apos;s last message.</source>
        <translation>24-часовое окно {name} закрылось. Сотрудник ещё может ответить с меткой HUMAN_AGENT в течение 7 дней после последнего сообщения клиента.</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message numerus="yes">
        <source>%n repl(y|ies) written.</source>
        <translation>
            <numerusform>Записан %n ответ.</numerusform>
            <numerusform>Записано %n ответа.</numerusform>
            <numerusform>Записано %n ответов.</numerusform>
        </translation>
    </message>
    <message>
        <source>(UTC days)</source>
        <translation>(дни по UTC)</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>Все отделы</translation>
    </message>
    <message>
        <source>Backlog now</source>
        <translation>Очередь сейчас</translation>
    </message>
    <message>
        <source>Backlog now: open cases by agent</source>
        <translation>Очередь сейчас: открытые обращения по сотрудникам</translation>
    </message>
    <message>
        <source>Backlog now: open cases by department</source>
        <translation>Очередь сейчас: открытые обращения по отделам</translation>
    </message>
    <message>
        <source>Backlog now: open cases by network</source>
        <translation>Очередь сейчас: открытые обращения по соцсетям</translation>
    </message>
    <message>
        <source>By agent</source>
        <translation>По сотрудникам</translation>
    </message>
    <message>
        <source>By department</source>
        <translation>По отделам</translation>
    </message>
    <message>
        <source>By network</source>
        <translation>По соцсетям</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Книга Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Экспорт не удался</translation>
    </message>
    <message>
        <source>Export reply log</source>
        <translation>Экспорт журнала ответов</translation>
    </message>
    <message>
        <source>Export reply log…</source>
        <translation>Экспорт журнала ответов…</translation>
    </message>
    <message>
        <source>First response, median</source>
        <translation>Первый ответ, медиана</translation>
    </message>
    <message>
        <source>First response, p90</source>
        <translation>Первый ответ, p90</translation>
    </message>
    <message>
        <source>From</source>
        <translation>С</translation>
    </message>
    <message>
        <source>Incoming messages</source>
        <translation>Входящие сообщения</translation>
    </message>
    <message>
        <source>Incoming vs handled per day (UTC)</source>
        <translation>Входящие и обработанные по дням (UTC)</translation>
    </message>
    <message>
        <source>Incoming vs handled per department</source>
        <translation>Входящие и обработанные по отделам</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 дней</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 дней</translation>
    </message>
    <message>
        <source>New cases</source>
        <translation>Новые обращения</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>Открытые обращения</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>По дням</translation>
    </message>
    <message>
        <source>Per department</source>
        <translation>По отделам</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Обновить</translation>
    </message>
    <message>
        <source>Replies delivered</source>
        <translation>Доставлено ответов</translation>
    </message>
    <message>
        <source>Reply log exported</source>
        <translation>Журнал ответов выгружен</translation>
    </message>
    <message>
        <source>Resolved cases</source>
        <translation>Решённые обращения</translation>
    </message>
    <message>
        <source>SLA met</source>
        <translation>SLA соблюдён</translation>
    </message>
    <message>
        <source>nearest rank</source>
        <translation>метод ближайшего ранга</translation>
    </message>
    <message>
        <source>no reply judged</source>
        <translation>нет оценённых ответов</translation>
    </message>
    <message>
        <source>open cases</source>
        <translation>открытых обращений</translation>
    </message>
    <message numerus="yes">
        <source>over %n case(s)</source>
        <translation>
            <numerusform>по %n обращению</numerusform>
            <numerusform>по %n обращениям</numerusform>
            <numerusform>по %n обращениям</numerusform>
        </translation>
    </message>
    <message>
        <source>to</source>
        <translation>по</translation>
    </message>
    <message>
        <source>{count} a day</source>
        <translation>{count} в день</translation>
    </message>
    <message>
        <source>{count} more</source>
        <translation>ещё {count}</translation>
    </message>
    <message numerus="yes">
        <source>{met} of %n repl(y|ies)</source>
        <translation>
            <numerusform>{met} из %n ответа</numerusform>
            <numerusform>{met} из %n ответов</numerusform>
            <numerusform>{met} из %n ответов</numerusform>
        </translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} мин {seconds} с</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} с</translation>
    </message>
</context>
<context>
    <name>RuleEditor</name>
    <message>
        <source>(leave as is)</source>
        <translation>(не менять)</translation>
    </message>
    <message>
        <source>(leave unrouted)</source>
        <translation>(не направлять)</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Аккаунты</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>All rules: department {department}, priority {priority}, tags {tags}; matched {rules}.</source>
        <translation>Все правила: отдел {department}, приоритет {priority}, метки {tags}; сработали {rules}.</translation>
    </message>
    <message>
        <source>All rules: no rule matches; the case would stay unrouted.</source>
        <translation>Все правила: ни одно не сработало; обращение останется ненаправленным.</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Любое</translation>
    </message>
    <message>
        <source>Any when none is ticked</source>
        <translation>Любые, если ничего не отмечено</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Исполнитель</translation>
    </message>
    <message>
        <source>Author on the VIP list</source>
        <translation>Автор в VIP-списке</translation>
    </message>
    <message>
        <source>Author on the block list</source>
        <translation>Автор в чёрном списке</translation>
    </message>
    <message>
        <source>Contains a link</source>
        <translation>Есть ссылка</translation>
    </message>
    <message>
        <source>Continue matching: later rules may add to this one</source>
        <translation>Продолжать проверку: следующие правила могут дополнить это</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Отдел</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Вниз</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Включено</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Inside business hours</source>
        <translation>В рабочее время</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>Ключевые слова</translation>
    </message>
    <message>
        <source>Kinds</source>
        <translation>Типы</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>Языки</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Отметить как спам</translation>
    </message>
    <message>
        <source>Move the rule down</source>
        <translation>Переместить правило вниз</translation>
    </message>
    <message>
        <source>Move the rule up</source>
        <translation>Переместить правило вверх</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Negative tone</source>
        <translation>Негативный тон</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Соцсети</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>Новое правило</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Нет</translation>
    </message>
    <message>
        <source>Paste a customer&apos;s message</source>
        <translation>Вставьте сообщение клиента</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Предпросмотр</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>Регулярное выражение</translation>
    </message>
    <message>
        <source>Routing rules</source>
        <translation>Правила маршрутизации</translation>
    </message>
    <message>
        <source>Rules, top to bottom: the first that matches routes the case. Tick to enable, drag or use the arrows to reorder.</source>
        <translation>Правила сверху вниз: обращение направляет первое сработавшее. Отметьте, чтобы включить; порядок меняется перетаскиванием или стрелками.</translation>
    </message>
    <message>
        <source>SLA policy</source>
        <translation>Политика SLA</translation>
    </message>
    <message>
        <source>SLA policy name (the department&apos;s when empty)</source>
        <translation>Название политики SLA (если пусто — политика отдела)</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Метки</translation>
    </message>
    <message>
        <source>The rule&apos;s id in exported files; unique</source>
        <translation>Id правила в выгружаемых файлах; уникальный</translation>
    </message>
    <message>
        <source>Then</source>
        <translation>Тогда</translation>
    </message>
    <message>
        <source>This rule does not match.</source>
        <translation>Это правило не срабатывает.</translation>
    </message>
    <message>
        <source>This rule matches.</source>
        <translation>Это правило срабатывает.</translation>
    </message>
    <message>
        <source>Try</source>
        <translation>Проверить</translation>
    </message>
    <message>
        <source>Try on text</source>
        <translation>Проверка на тексте</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Вверх</translation>
    </message>
    <message>
        <source>When every given condition holds</source>
        <translation>Если выполнены все заданные условия</translation>
    </message>
    <message>
        <source>Which of the last {count} cases this rule would catch, judged on each case&apos;s first message (before saving).</source>
        <translation>Какие из последних {count} обращений поймало бы правило — по первому сообщению каждого (до сохранения).</translation>
    </message>
    <message>
        <source>Would catch {count} of the last {examined} cases.</source>
        <translation>Поймало бы {count} из последних {examined} обращений.</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Да</translation>
    </message>
    <message>
        <source>account ids, comma-separated (any when empty)</source>
        <translation>id аккаунтов через запятую (если пусто — любые)</translation>
    </message>
    <message>
        <source>another rule already has the id {id}</source>
        <translation>id {id} уже занят другим правилом</translation>
    </message>
    <message>
        <source>author (for VIP/block lists)</source>
        <translation>автор (для VIP- и чёрного списков)</translation>
    </message>
    <message>
        <source>comma-separated</source>
        <translation>через запятую</translation>
    </message>
    <message>
        <source>one keyword or phrase per line; refund* for a prefix</source>
        <translation>одно слово или фраза в строке; refund* — по началу слова</translation>
    </message>
    <message>
        <source>optional pattern (RE2), e.g. {example}</source>
        <translation>шаблон RE2, необязательно, например {example}</translation>
    </message>
    <message>
        <source>spam</source>
        <translation>спам</translation>
    </message>
    <message>
        <source>{name} (not a department)</source>
        <translation>{name} (не отдел)</translation>
    </message>
    <message>
        <source>✓ valid pattern</source>
        <translation>✓ шаблон корректен</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Аккаунты</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>Add a department</source>
        <translation>Добавить отдел</translation>
    </message>
    <message>
        <source>Added {name}</source>
        <translation>Добавлен отдел {name}</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Оформление</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Как в системе</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Базовый URL</translation>
    </message>
    <message>
        <source>Canned replies; placeholders {customer}, {agent} and {department} are filled in the composer.</source>
        <translation>Готовые ответы; подстановки {customer}, {agent} и {department} заполняются при вставке.</translation>
    </message>
    <message>
        <source>Click a field and press the new key. Keys do nothing while you type in a text field.</source>
        <translation>Щёлкните поле и нажмите новую клавишу. Пока вы печатаете в текстовом поле, клавиши не действуют.</translation>
    </message>
    <message>
        <source>Connect an account</source>
        <translation>Подключить аккаунт</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Подключено</translation>
    </message>
    <message>
        <source>Connected {name}; test it above</source>
        <translation>Аккаунт {name} подключён; проверьте его выше</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Тёмное</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Отдел</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Отделы</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>Первый ответ</translation>
    </message>
    <message>
        <source>Keys 1–9 route the selected cases to the first nine departments, in this order.</source>
        <translation>Клавиши 1–9 направляют выбранные обращения в первые девять отделов в этом порядке.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Светлое</translation>
    </message>
    <message>
        <source>Light or dark changes at once.</source>
        <translation>Светлое или тёмное оформление меняется сразу.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Needs a new token</source>
        <translation>Нужен новый токен</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Соцсеть</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Уведомления</translation>
    </message>
    <message>
        <source>Notify me when a case nears or passes its response target</source>
        <translation>Уведомлять, когда срок ответа по обращению подходит или истёк</translation>
    </message>
    <message>
        <source>Own first-response target</source>
        <translation>Свой срок первого ответа</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>На паузе</translation>
    </message>
    <message>
        <source>Paused: nothing is fetched or sent for it</source>
        <translation>На паузе: ничего не загружается и не отправляется</translation>
    </message>
    <message>
        <source>Quiet hours</source>
        <translation>Тихие часы</translation>
    </message>
    <message>
        <source>Quiet hours hold notifications back (an end earlier than the start runs past midnight); the tray keeps counting breaching cases.</source>
        <translation>В тихие часы уведомления не показываются (если конец раньше начала, период идёт через полночь); значок в трее продолжает считать просроченные обращения.</translation>
    </message>
    <message>
        <source>Rate limited</source>
        <translation>Лимит запросов</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>Удалить аккаунт</translation>
    </message>
    <message>
        <source>Remove {network} account {name}? Its cases, messages and replies leave the desk, and its secrets leave the keyring.</source>
        <translation>Удалить аккаунт {network} {name}? Его обращения, сообщения и ответы будут удалены из SMM Desk, а секреты — из хранилища ключей.</translation>
    </message>
    <message>
        <source>Removed {name}</source>
        <translation>Аккаунт {name} удалён</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Удалить…</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Сбросить</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Возобновить</translation>
    </message>
    <message>
        <source>Resumed: it syncs again</source>
        <translation>Возобновлено: синхронизация идёт снова</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Срок</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Шаблоны</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Проверить подключение</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Проверка подключения…</translation>
    </message>
    <message>
        <source>The new appearance is used the next time SMM Desk starts.</source>
        <translation>Новое оформление будет применено при следующем запуске SMM Desk.</translation>
    </message>
    <message>
        <source>The new language is used the next time SMM Desk starts.</source>
        <translation>Новый язык будет применён при следующем запуске SMM Desk.</translation>
    </message>
    <message>
        <source>account {id}</source>
        <translation>аккаунт {id}</translation>
    </message>
    <message>
        <source>from</source>
        <translation>с</translation>
    </message>
    <message>
        <source>no key</source>
        <translation>без клавиши</translation>
    </message>
    <message>
        <source>to</source>
        <translation>до</translation>
    </message>
    <message>
        <source>workspace default</source>
        <translation>по умолчанию</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation>{hours} ч</translation>
    </message>
    <message>
        <source>“{action}” is now {key}</source>
        <translation>«{action}» теперь на {key}</translation>
    </message>
</context>
<context>
    <name>SettingsService</name>
    <message>
        <source>Sign-in did not complete</source>
        <translation>Вход не завершён</translation>
    </message>
    <message>
        <source>Signed in to SMM Desk</source>
        <translation>Вход в SMM Desk выполнен</translation>
    </message>
    <message>
        <source>You can close this tab and return to SMM Desk.</source>
        <translation>Можно закрыть эту вкладку и вернуться в SMM Desk.</translation>
    </message>
    <message>
        <source>{detail} You can close this tab and try again in SMM Desk.</source>
        <translation>{detail} Закройте эту вкладку и попробуйте снова в SMM Desk.</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message numerus="yes">
        <source>%n account(s) offline</source>
        <translation>
            <numerusform>%n аккаунт без связи</numerusform>
            <numerusform>%n аккаунта без связи</numerusform>
            <numerusform>%n аккаунтов без связи</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) ok</source>
        <translation>
            <numerusform>%n аккаунт в порядке</numerusform>
            <numerusform>%n аккаунта в порядке</numerusform>
            <numerusform>%n аккаунтов в порядке</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) paused</source>
        <translation>
            <numerusform>%n аккаунт на паузе</numerusform>
            <numerusform>%n аккаунта на паузе</numerusform>
            <numerusform>%n аккаунтов на паузе</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repl(y|ies) (waits|wait) in the outbox and will leave when the connection is back.</source>
        <translation>
            <numerusform>%n ответ ждёт в исходящих и уйдёт, когда связь вернётся.</numerusform>
            <numerusform>%n ответа ждут в исходящих и уйдут, когда связь вернётся.</numerusform>
            <numerusform>%n ответов ждут в исходящих и уйдут, когда связь вернётся.</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline — no network can be reached. Reading, triage and replies keep working.</source>
        <translation>Нет связи — ни одна соцсеть недоступна. Чтение, сортировка и ответы продолжают работать.</translation>
    </message>
    <message>
        <source>Outbox empty</source>
        <translation>Исходящих нет</translation>
    </message>
    <message numerus="yes">
        <source>Outbox: %n repl(y|ies) waiting</source>
        <translation>
            <numerusform>Исходящие: %n ответ ждёт</numerusform>
            <numerusform>Исходящие: %n ответа ждут</numerusform>
            <numerusform>Исходящие: %n ответов ждут</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconnect…</source>
        <translation>Переподключить…</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>подключено</translation>
    </message>
    <message>
        <source>error</source>
        <translation>ошибка</translation>
    </message>
    <message>
        <source>needs sign-in</source>
        <translation>нужен вход</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>нет связи</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>на паузе</translation>
    </message>
    <message>
        <source>rate-limited</source>
        <translation>лимит запросов</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>Duplicate clusters</source>
        <translation>Кластеры дубликатов</translation>
    </message>
    <message>
        <source>Duplicate clusters…</source>
        <translation>Кластеры дубликатов…</translation>
    </message>
    <message>
        <source>Open a case first.</source>
        <translation>Сначала откройте обращение.</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Отчёты</translation>
    </message>
    <message>
        <source>Reports…</source>
        <translation>Отчёты…</translation>
    </message>
    <message>
        <source>Routing rules…</source>
        <translation>Правила маршрутизации…</translation>
    </message>
    <message>
        <source>Send to department</source>
        <translation>Передать в отдел</translation>
    </message>
    <message>
        <source>Send to department…</source>
        <translation>Передать в отдел…</translation>
    </message>
    <message>
        <source>VIP and block lists…</source>
        <translation>VIP и чёрный список…</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> и ещё %n</numerusform>
            <numerusform> и ещё %n</numerusform>
            <numerusform> и ещё %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) need a reply</source>
        <translation>
            <numerusform>%n обращение ждёт ответа</numerusform>
            <numerusform>%n обращения ждут ответа</numerusform>
            <numerusform>%n обращений ждут ответа</numerusform>
        </translation>
    </message>
    <message>
        <source>Case {id}</source>
        <translation>Обращение {id}</translation>
    </message>
    <message>
        <source>Case {id} ({network}) is past its resolution target.</source>
        <translation>Срок решения по обращению {id} ({network}) истёк.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) is past its response target.</source>
        <translation>Срок ответа по обращению {id} ({network}) истёк.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) reached its SLA warning.</source>
        <translation>Обращение {id} ({network}): предупреждение SLA.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) reached its resolution warning.</source>
        <translation>Срок решения по обращению {id} ({network}) скоро истечёт.</translation>
    </message>
    <message>
        <source>In warning: {names}</source>
        <translation>Предупреждение: {names}</translation>
    </message>
    <message>
        <source>Reply soon — {who}</source>
        <translation>Ответьте скорее — {who}</translation>
    </message>
    <message>
        <source>Resolution due soon — {who}</source>
        <translation>Скоро срок решения — {who}</translation>
    </message>
    <message>
        <source>Resolution overdue — {who}</source>
        <translation>Решение просрочено — {who}</translation>
    </message>
    <message>
        <source>Response overdue — {who}</source>
        <translation>Ответ просрочен — {who}</translation>
    </message>
    <message numerus="yes">
        <source>SMM Desk — %n case(s) breaching soon</source>
        <translation>
            <numerusform>SMM Desk — скоро просрочка: %n обращение</numerusform>
            <numerusform>SMM Desk — скоро просрочка: %n обращения</numerusform>
            <numerusform>SMM Desk — скоро просрочка: %n обращений</numerusform>
        </translation>
    </message>
    <message>
        <source>SMM Desk — no case breaching soon</source>
        <translation>SMM Desk — просрочек не ожидается</translation>
    </message>
    <message>
        <source>Under a minute left.</source>
        <translation>Осталось меньше минуты.</translation>
    </message>
    <message>
        <source>{minutes} min left to answer.</source>
        <translation>На ответ осталось {minutes} мин.</translation>
    </message>
    <message>
        <source>{overdue} overdue, {warning} in warning: {names}</source>
        <translation>Просрочено: {overdue}, с предупреждением: {warning}: {names}</translation>
    </message>
</context>
<context>
    <name>Triage</name>
    <message>
        <source>Assign to me</source>
        <translation>Назначить на меня</translation>
    </message>
    <message numerus="yes">
        <source>Assigned %n case(s) to {agent}</source>
        <translation>
            <numerusform>%n обращение назначено на {agent}</numerusform>
            <numerusform>%n обращения назначено на {agent}</numerusform>
            <numerusform>%n обращений назначено на {agent}</numerusform>
        </translation>
    </message>
    <message>
        <source>Back to the queue</source>
        <translation>Назад к очереди</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Отметить как спам</translation>
    </message>
    <message numerus="yes">
        <source>Marked %n case(s) as spam</source>
        <translation>
            <numerusform>%n обращение отмечено как спам</numerusform>
            <numerusform>%n обращения отмечено как спам</numerusform>
            <numerusform>%n обращений отмечено как спам</numerusform>
        </translation>
    </message>
    <message>
        <source>Next case</source>
        <translation>Следующее обращение</translation>
    </message>
    <message>
        <source>No case selected</source>
        <translation>Обращение не выбрано</translation>
    </message>
    <message numerus="yes">
        <source>No department {number}: there (is|are) %n</source>
        <translation>
            <numerusform>Нет отдела {number}: всего %n отдел</numerusform>
            <numerusform>Нет отдела {number}: всего %n отдела</numerusform>
            <numerusform>Нет отдела {number}: всего %n отделов</numerusform>
        </translation>
    </message>
    <message>
        <source>Previous case</source>
        <translation>Предыдущее обращение</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Ответить</translation>
    </message>
    <message>
        <source>Resolve and open the next</source>
        <translation>Решить и открыть следующее</translation>
    </message>
    <message numerus="yes">
        <source>Resolved %n case(s)</source>
        <translation>
            <numerusform>Решено %n обращение</numerusform>
            <numerusform>Решено %n обращения</numerusform>
            <numerusform>Решено %n обращений</numerusform>
        </translation>
    </message>
    <message>
        <source>Route to department {n}</source>
        <translation>Направить в отдел {n}</translation>
    </message>
    <message>
        <source>Route to {department}</source>
        <translation>Направить в {department}</translation>
    </message>
    <message numerus="yes">
        <source>Routed %n case(s) to {department}</source>
        <translation>
            <numerusform>%n обращение направлено в {department}</numerusform>
            <numerusform>%n обращения направлено в {department}</numerusform>
            <numerusform>%n обращений направлено в {department}</numerusform>
        </translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <source>Show keyboard shortcuts</source>
        <translation>Показать сочетания клавиш</translation>
    </message>
    <message>
        <source>{key} is already bound to “{action}”. Choose another key, or rebind that action first.</source>
        <translation>{key} уже назначена на «{action}». Выберите другую клавишу или сначала переназначьте то действие.</translation>
    </message>
</context>
</TS>
