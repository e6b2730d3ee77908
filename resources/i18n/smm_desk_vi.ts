<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN" sourcelanguage="en">
<context>
    <name>AuthorLists</name>
    <message>
        <source>@handle or user id, one per line</source>
        <translation>@tên hoặc ID người dùng, mỗi dòng một mục</translation>
    </message>
    <message>
        <source>Blocked authors</source>
        <translation>Tác giả bị chặn</translation>
    </message>
    <message>
        <source>One author per line: the network&apos;s user id or a handle such as @anna. Routing rules can send VIP authors&apos; cases first and set blocked authors&apos; cases aside as spam.</source>
        <translation>Mỗi dòng một tác giả: ID người dùng trên mạng hoặc tên như @anna. Quy tắc phân luồng có thể ưu tiên yêu cầu của tác giả VIP và để riêng yêu cầu của tác giả bị chặn như thư rác.</translation>
    </message>
    <message>
        <source>Saved: {vip} VIP, {blocked} blocked.</source>
        <translation>Đã lưu: {vip} VIP, {blocked} bị chặn.</translation>
    </message>
    <message>
        <source>VIP and block lists</source>
        <translation>Danh sách VIP và danh sách chặn</translation>
    </message>
    <message>
        <source>VIP authors</source>
        <translation>Tác giả VIP</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>A reply failed: {error}</source>
        <translation>Gửi phản hồi thất bại: {error}</translation>
    </message>
    <message>
        <source>A reply may not have gone out: {reason} — check before resending</source>
        <translation>Phản hồi có thể chưa được gửi: {reason} — hãy kiểm tra trước khi gửi lại</translation>
    </message>
    <message>
        <source>Assigned to {assignee} {who}</source>
        <translation>Đã giao cho {assignee} {who}</translation>
    </message>
    <message>
        <source>Assignee: {assignee}</source>
        <translation>Người xử lý: {assignee}</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Bình luận</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Department SLA breached: {department} has not answered the handoff in time</source>
        <translation>Vi phạm SLA của bộ phận: {department} chưa phản hồi yêu cầu được chuyển đúng hạn</translation>
    </message>
    <message>
        <source>Department SLA warning: {department} should answer the handoff soon</source>
        <translation>Cảnh báo SLA của bộ phận: {department} cần sớm phản hồi yêu cầu được chuyển</translation>
    </message>
    <message>
        <source>Department: {department}</source>
        <translation>Bộ phận: {department}</translation>
    </message>
    <message>
        <source>Direct message</source>
        <translation>Tin nhắn riêng</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Thất bại</translation>
    </message>
    <message>
        <source>Handed off to {department}</source>
        <translation>Đã chuyển cho {department}</translation>
    </message>
    <message>
        <source>Mention</source>
        <translation>Lượt nhắc</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Chưa có tin nhắn</translation>
    </message>
    <message>
        <source>No response owed</source>
        <translation>Không cần phản hồi</translation>
    </message>
    <message>
        <source>Note {who}: {text}</source>
        <translation>Ghi chú {who}: {text}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Đang mở</translation>
    </message>
    <message>
        <source>Open on the network</source>
        <translation>Mở trên mạng xã hội</translation>
    </message>
    <message>
        <source>Open on {network}</source>
        <translation>Mở trên {network}</translation>
    </message>
    <message>
        <source>Opening the case…</source>
        <translation>Đang mở yêu cầu…</translation>
    </message>
    <message>
        <source>Priority {old} → {new} {who}</source>
        <translation>Mức ưu tiên {old} → {new} {who}</translation>
    </message>
    <message>
        <source>Priority: {priority}</source>
        <translation>Ưu tiên: {priority}</translation>
    </message>
    <message>
        <source>Queued · waiting in the outbox</source>
        <translation>Đã xếp hàng · đang chờ trong hộp thư đi</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Trả lời</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Đã giải quyết</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Đánh giá</translation>
    </message>
    <message>
        <source>Routed to {department} {how}</source>
        <translation>Đã chuyển đến {department} {how}</translation>
    </message>
    <message>
        <source>SLA breached: {target} overdue</source>
        <translation>Quá hạn SLA: {target} đã quá hạn</translation>
    </message>
    <message>
        <source>SLA warning: {target} due soon</source>
        <translation>Cảnh báo SLA: {target} sắp đến hạn</translation>
    </message>
    <message>
        <source>Select a case in the queue to read and answer it.</source>
        <translation>Chọn một yêu cầu trong hàng đợi để đọc và trả lời.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Đang gửi…</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Spam</translation>
    </message>
    <message>
        <source>Status {old} → {new} {who}</source>
        <translation>Trạng thái {old} → {new} {who}</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>Trạng thái: {status}</translation>
    </message>
    <message>
        <source>Tagged {tags} {who}</source>
        <translation>Gắn nhãn {tags} {who}</translation>
    </message>
    <message>
        <source>The handoff to {department} failed: {error}</source>
        <translation>Chuyển yêu cầu cho {department} không thành công: {error}</translation>
    </message>
    <message>
        <source>This case is no longer in the workspace.</source>
        <translation>Yêu cầu này không còn trong không gian làm việc.</translation>
    </message>
    <message>
        <source>Unassigned {who}</source>
        <translation>Bỏ giao việc {who}</translation>
    </message>
    <message>
        <source>Uncertain · check before resending</source>
        <translation>Chưa rõ · hãy kiểm tra trước khi gửi lại</translation>
    </message>
    <message>
        <source>Unknown customer</source>
        <translation>Khách hàng không rõ</translation>
    </message>
    <message>
        <source>Us</source>
        <translation>Chúng tôi</translation>
    </message>
    <message>
        <source>Waiting on customer</source>
        <translation>Chờ khách hàng</translation>
    </message>
    <message>
        <source>Waiting on department</source>
        <translation>Chờ bộ phận</translation>
    </message>
    <message>
        <source>answered outside SMM Desk</source>
        <translation>đã trả lời ngoài SMM Desk</translation>
    </message>
    <message>
        <source>automatically</source>
        <translation>tự động</translation>
    </message>
    <message>
        <source>by rule “{rule}”</source>
        <translation>theo quy tắc “{rule}”</translation>
    </message>
    <message>
        <source>by {name}</source>
        <translation>bởi {name}</translation>
    </message>
    <message>
        <source>composed {time}</source>
        <translation>soạn lúc {time}</translation>
    </message>
    <message>
        <source>customer</source>
        <translation>khách hàng</translation>
    </message>
    <message>
        <source>delivered {time}</source>
        <translation>đã gửi lúc {time}</translation>
    </message>
    <message>
        <source>first response</source>
        <translation>phản hồi đầu tiên</translation>
    </message>
    <message>
        <source>handoff to {department}</source>
        <translation>chuyển cho {department}</translation>
    </message>
    <message>
        <source>next response</source>
        <translation>phản hồi tiếp theo</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>on post {post}</source>
        <translation>trên bài viết {post}</translation>
    </message>
    <message>
        <source>open on the network</source>
        <translation>mở trên mạng xã hội</translation>
    </message>
    <message>
        <source>our reply</source>
        <translation>phản hồi của chúng tôi</translation>
    </message>
    <message>
        <source>resolution</source>
        <translation>giải quyết</translation>
    </message>
    <message>
        <source>response</source>
        <translation>phản hồi</translation>
    </message>
    <message>
        <source>sent from the desk</source>
        <translation>gửi từ SMM Desk</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>bởi ai đó</translation>
    </message>
    <message>
        <source>the SLA clock</source>
        <translation>bởi đồng hồ SLA</translation>
    </message>
    <message>
        <source>the department</source>
        <translation>bộ phận</translation>
    </message>
</context>
<context>
    <name>ClustersPanel</name>
    <message numerus="yes">
        <source>%n cluster(s) · {open} open cases</source>
        <translation>
            <numerusform>%n cụm · {open} yêu cầu đang mở</numerusform>
        </translation>
    </message>
    <message>
        <source>Angry customers, fraud accusations or legal threats are arriving together; consider routing them to PR/Crisis.</source>
        <translation>Khách hàng giận dữ, cáo buộc lừa đảo hoặc đe dọa kiện đang đến dồn dập; hãy cân nhắc chuyển sang PR/Crisis.</translation>
    </message>
    <message>
        <source>Answer all</source>
        <translation>Trả lời tất cả</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Yêu cầu</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>Bộ phận:</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Bỏ qua</translation>
    </message>
    <message>
        <source>Duplicate clusters</source>
        <translation>Cụm trùng lặp</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Gần nhất</translation>
    </message>
    <message numerus="yes">
        <source>Mark all %n open case(s) of this cluster as spam?</source>
        <translation>
            <numerusform>Đánh dấu cả %n yêu cầu đang mở của cụm này là spam?</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark all as spam</source>
        <translation>Đánh dấu tất cả là spam</translation>
    </message>
    <message>
        <source>Mark all spam</source>
        <translation>Tất cả là spam</translation>
    </message>
    <message numerus="yes">
        <source>Marked %n case(s) as spam.</source>
        <translation>
            <numerusform>Đã đánh dấu %n yêu cầu là spam.</numerusform>
        </translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Mạng</translation>
    </message>
    <message>
        <source>No duplicate clusters right now. Near-identical messages arriving across accounts and networks will be grouped here.</source>
        <translation>Hiện không có cụm trùng lặp. Các tin nhắn gần giống nhau từ nhiều tài khoản và mạng sẽ được gom nhóm tại đây.</translation>
    </message>
    <message>
        <source>One reply, sent separately to every open case in this cluster</source>
        <translation>Một phản hồi, gửi riêng đến từng yêu cầu đang mở trong cụm</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Mở</translation>
    </message>
    <message numerus="yes">
        <source>Possible crisis: %n negative message(s) within {span} on {where}</source>
        <translation>
            <numerusform>Có thể có khủng hoảng: %n tin nhắn tiêu cực trong {span} trên {where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reply queued to %n case(s); each leaves with the outbox.</source>
        <translation>
            <numerusform>Đã xếp phản hồi cho %n yêu cầu; mỗi phản hồi được gửi qua hộp thư đi.</numerusform>
        </translation>
    </message>
    <message>
        <source>Route all</source>
        <translation>Chuyển tất cả</translation>
    </message>
    <message numerus="yes">
        <source>Routed %n case(s) to {department}.</source>
        <translation>
            <numerusform>Đã chuyển %n yêu cầu đến {department}.</numerusform>
        </translation>
    </message>
    <message>
        <source>Show cases</source>
        <translation>Xem yêu cầu</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>your accounts</source>
        <translation>các tài khoản của bạn</translation>
    </message>
    <message>
        <source>{open} of {size}</source>
        <translation>{open}/{size}</translation>
    </message>
    <message numerus="yes">
        <source>{open} open of {size} cases from %n account(s)</source>
        <translation>
            <numerusform>{open}/{size} yêu cầu đang mở, từ %n tài khoản</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{size} cases from %n account(s) on {networks} · first {first}, last {last}</source>
        <translation>
            <numerusform>{size} yêu cầu từ %n tài khoản trên {networks} · đầu tiên {first}, gần nhất {last}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Draft not loaded: {error}</source>
        <translation>Không tải được bản nháp: {error}</translation>
    </message>
    <message>
        <source>Draft not saved: {error}</source>
        <translation>Không lưu được bản nháp: {error}</translation>
    </message>
    <message>
        <source>Draft saved</source>
        <translation>Đã lưu nháp</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Thất bại</translation>
    </message>
    <message>
        <source>Insert template…</source>
        <translation>Chèn mẫu…</translation>
    </message>
    <message>
        <source>Not queued: {error}</source>
        <translation>Chưa xếp hàng: {error}</translation>
    </message>
    <message>
        <source>Not retried: {error}</source>
        <translation>Không thử lại được: {error}</translation>
    </message>
    <message>
        <source>Put the reply in the outbox (Ctrl+Enter)</source>
        <translation>Đưa phản hồi vào hộp thư đi (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Queue reply</source>
        <translation>Xếp hàng gửi</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Đã xếp hàng</translation>
    </message>
    <message>
        <source>Reply queued</source>
        <translation>Đã xếp hàng phản hồi</translation>
    </message>
    <message>
        <source>Reply window closed</source>
        <translation>Đã hết thời hạn trả lời</translation>
    </message>
    <message>
        <source>Reply window closed at {time}. {note}</source>
        <translation>Thời hạn trả lời đã kết thúc lúc {time}. {note}</translation>
    </message>
    <message>
        <source>Reply window closed. {note}</source>
        <translation>Đã hết thời hạn trả lời. {note}</translation>
    </message>
    <message>
        <source>Reply window closes in {span} (at {time}). {note}</source>
        <translation>Thời hạn trả lời kết thúc sau {span} (lúc {time}). {note}</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Đang gửi…</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Đã gửi</translation>
    </message>
    <message>
        <source>Templates not loaded: {error}</source>
        <translation>Không tải được mẫu: {error}</translation>
    </message>
    <message>
        <source>The network&apos;s reply window for this conversation has closed. {note}

Queue the reply anyway?</source>
        <translation>Thời hạn trả lời của mạng cho cuộc trò chuyện này đã kết thúc. {note}

Vẫn xếp hàng phản hồi?</translation>
    </message>
    <message>
        <source>Uncertain</source>
        <translation>Chưa rõ</translation>
    </message>
    <message>
        <source>Write a reply…</source>
        <translation>Viết phản hồi…</translation>
    </message>
    <message>
        <source>check on the network before resending</source>
        <translation>hãy kiểm tra trên mạng trước khi gửi lại</translation>
    </message>
    <message>
        <source>delivered {time}</source>
        <translation>đã gửi lúc {time}</translation>
    </message>
    <message>
        <source>the network refused it</source>
        <translation>mạng đã từ chối</translation>
    </message>
    <message>
        <source>waiting in the outbox</source>
        <translation>đang chờ trong hộp thư đi</translation>
    </message>
    <message>
        <source>will retry: {error}</source>
        <translation>sẽ thử lại: {error}</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation>Ẩn chi tiết</translation>
    </message>
    <message>
        <source>No log file is being written.</source>
        <translation>Không có tệp nhật ký nào đang được ghi.</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Mở thư mục nhật ký</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Thoát</translation>
    </message>
    <message>
        <source>SMM Desk must close because of an internal error.</source>
        <translation>SMM Desk phải đóng do lỗi nội bộ.</translation>
    </message>
    <message>
        <source>SMM Desk ran into an internal error.</source>
        <translation>SMM Desk gặp lỗi nội bộ.</translation>
    </message>
    <message>
        <source>SMM Desk — something went wrong</source>
        <translation>SMM Desk — đã xảy ra lỗi</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Hiện chi tiết</translation>
    </message>
    <message>
        <source>The app cannot go on. Start it again; nothing that was saved is lost.</source>
        <translation>Ứng dụng không thể tiếp tục. Hãy khởi động lại; dữ liệu đã lưu không bị mất.</translation>
    </message>
    <message>
        <source>The details are in the log file:</source>
        <translation>Chi tiết có trong tệp nhật ký:</translation>
    </message>
    <message>
        <source>You can continue working. If the problem comes back, quit and start the app again.</source>
        <translation>Bạn có thể tiếp tục làm việc. Nếu lỗi lặp lại, hãy thoát và khởi động lại ứng dụng.</translation>
    </message>
    <message>
        <source>Your draft could not be saved ({problem}). Copy it from the reply box before you quit.</source>
        <translation>Không lưu được bản nháp ({problem}). Hãy sao chép nội dung từ ô trả lời trước khi thoát.</translation>
    </message>
    <message>
        <source>Your draft is kept: the reply you were writing is saved and will be there when you open the case again.</source>
        <translation>Bản nháp được giữ lại: phản hồi bạn đang viết đã được lưu và sẽ có khi bạn mở lại yêu cầu.</translation>
    </message>
    <message>
        <source>the database refused it</source>
        <translation>cơ sở dữ liệu từ chối</translation>
    </message>
</context>
<context>
    <name>Desk</name>
    <message>
        <source>Demo workspace</source>
        <translation>Không gian demo</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Hộp thư đến</translation>
    </message>
</context>
<context>
    <name>HandoffDialog</name>
    <message>
        <source>(no target)</source>
        <translation>(chưa có nơi nhận)</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Bộ phận</translation>
    </message>
    <message>
        <source>Goes by</source>
        <translation>Gửi qua</translation>
    </message>
    <message>
        <source>Preview of what will be sent</source>
        <translation>Xem trước nội dung sẽ gửi</translation>
    </message>
    <message>
        <source>Send case #{id} to a department</source>
        <translation>Chuyển yêu cầu #{id} cho bộ phận</translation>
    </message>
    <message>
        <source>Send to department</source>
        <translation>Chuyển cho bộ phận</translation>
    </message>
    <message>
        <source>Subject: {subject}</source>
        <translation>Tiêu đề: {subject}</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Tóm tắt</translation>
    </message>
    <message>
        <source>What the department needs to know: the problem, what you checked, what you promised the customer.</source>
        <translation>Điều bộ phận cần biết: vấn đề, những gì bạn đã kiểm tra, những gì bạn đã hứa với khách hàng.</translation>
    </message>
</context>
<context>
    <name>HelpOverlay</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Phím tắt</translation>
    </message>
    <message>
        <source>Press ? or Esc to close · Change keys in Settings → Shortcuts</source>
        <translation>Nhấn ? hoặc Esc để đóng · Đổi phím trong Cài đặt → Phím tắt</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n case(s) in {view}</source>
        <translation>
            <numerusform>%n yêu cầu trong “{view}”</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) in {view} matching “{search}”</source>
        <translation>
            <numerusform>%n yêu cầu trong “{view}” khớp “{search}”</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open case(s)</source>
        <translation>
            <numerusform>%n yêu cầu đang mở</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Desk</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Phím tắt</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Thoát</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Cài đặt…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>Công &amp;cụ</translation>
    </message>
    <message>
        <source>Case {id}</source>
        <translation>Yêu cầu {id}</translation>
    </message>
    <message>
        <source>No open cases</source>
        <translation>Không có yêu cầu đang mở</translation>
    </message>
    <message>
        <source>Reconnect the account</source>
        <translation>Kết nối lại tài khoản</translation>
    </message>
    <message>
        <source>SMM Desk — {workspace}</source>
        <translation>SMM Desk — {workspace}</translation>
    </message>
    <message>
        <source>Search messages  ( / )</source>
        <translation>Tìm tin nhắn  ( / )</translation>
    </message>
    <message>
        <source>Select a case to read it here.</source>
        <translation>Chọn một yêu cầu để đọc tại đây.</translation>
    </message>
    <message>
        <source>The network no longer accepts this account&apos;s token.

Remove it with:  smm-desk accounts remove {id}
then connect it again with a new token:
  smm-desk accounts add NETWORK --name NAME --token-stdin</source>
        <translation>Mạng không còn chấp nhận token của tài khoản này.

Xóa tài khoản bằng:  smm-desk accounts remove {id}
rồi kết nối lại với token mới:
  smm-desk accounts add NETWORK --name NAME --token-stdin</translation>
    </message>
</context>
<context>
    <name>Network</name>
    <message>
        <source>Email</source>
        <translation>Email</translation>
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
        <translation>Access token</translation>
    </message>
    <message>
        <source>Acme Shop (the Page name)</source>
        <translation>Acme Shop (tên Trang)</translation>
    </message>
    <message>
        <source>Acme Shop (the channel name)</source>
        <translation>Acme Shop (tên kênh)</translation>
    </message>
    <message>
        <source>App password</source>
        <translation>Mật khẩu ứng dụng</translation>
    </message>
    <message>
        <source>At reddit.com/prefs/apps, create an app of type “installed app” with the redirect URI http://127.0.0.1:8765/callback — Reddit wants that exact address, so sign in with loopback port 8765. Give the app&apos;s client id and sign in with the browser as the brand account.</source>
        <translation>Tại reddit.com/prefs/apps, tạo ứng dụng loại “installed app” với redirect URI http://127.0.0.1:8765/callback — Reddit yêu cầu đúng địa chỉ này, nên hãy đăng nhập qua cổng loopback 8765. Nhập client id của ứng dụng và đăng nhập trên trình duyệt bằng tài khoản thương hiệu.</translation>
    </message>
    <message>
        <source>Bluesky</source>
        <translation>Bluesky</translation>
    </message>
    <message>
        <source>Bot token</source>
        <translation>Token bot</translation>
    </message>
    <message>
        <source>Community access key</source>
        <translation>Khóa truy cập cộng đồng</translation>
    </message>
    <message>
        <source>Create a Business app at developers.facebook.com with Facebook Login and Messenger, and sign in with the browser using its client id. Or paste a Page access token made from a long-lived user token (Graph API Explorer → Get Page access token): it does not expire. It needs pages_messaging, pages_read_engagement and pages_manage_engagement.</source>
        <translation>Tạo ứng dụng Business tại developers.facebook.com với Facebook Login và Messenger, rồi đăng nhập trên trình duyệt bằng client id của ứng dụng. Hoặc dán Page access token tạo từ user token dài hạn (Graph API Explorer → Get Page access token): token này không hết hạn. Cần các quyền pages_messaging, pages_read_engagement và pages_manage_engagement.</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Facebook Pages</source>
        <translation>Trang Facebook</translation>
    </message>
    <message>
        <source>In Bluesky, open Settings → Privacy and security → App passwords and add one; allow access to direct messages if you answer DMs. Use your handle (for example acme.bsky.social) as the name and paste the app password, never your main password.</source>
        <translation>Trong Bluesky, mở Settings → Privacy and security → App passwords và thêm một mật khẩu; cho phép truy cập tin nhắn riêng nếu bạn trả lời DM. Dùng handle của bạn (ví dụ acme.bsky.social) làm tên và dán mật khẩu ứng dụng, không bao giờ dùng mật khẩu chính.</translation>
    </message>
    <message>
        <source>In Google Cloud Console, create a project, enable the YouTube Data API v3 and create an OAuth client of type Desktop app. Give its client id and client secret and sign in with the browser as the channel&apos;s owner or manager. While the app is in “Testing”, Google ends its sign-ins after 7 days: publish it for lasting access.</source>
        <translation>Trong Google Cloud Console, tạo dự án, bật YouTube Data API v3 và tạo OAuth client loại Desktop app. Nhập client id và client secret, rồi đăng nhập trên trình duyệt với tư cách chủ sở hữu hoặc người quản lý kênh. Khi ứng dụng còn ở trạng thái “Testing”, Google hủy phiên đăng nhập sau 7 ngày: hãy xuất bản ứng dụng để truy cập lâu dài.</translation>
    </message>
    <message>
        <source>In Telegram, open a chat with @BotFather and send /newbot. Choose a name and a username that ends in “bot”; BotFather replies with the bot token (it looks like 123456:ABC-…). To answer comments under channel posts, add the bot as an admin of the channel&apos;s discussion group.</source>
        <translation>Trong Telegram, mở cuộc trò chuyện với @BotFather và gửi /newbot. Chọn tên và username kết thúc bằng “bot”; BotFather sẽ gửi token của bot (dạng 123456:ABC-…). Để trả lời bình luận dưới bài đăng của kênh, hãy thêm bot làm quản trị viên nhóm thảo luận của kênh.</translation>
    </message>
    <message>
        <source>In the X developer portal, create a project and an app, turn on OAuth 2.0 as a Native App and add the loopback callback http://127.0.0.1/callback. Give the app&apos;s client id and sign in with the browser as the brand account; the access token is then refreshed on its own.</source>
        <translation>Trong cổng nhà phát triển X, tạo dự án và ứng dụng, bật OAuth 2.0 dạng Native App và thêm callback loopback http://127.0.0.1/callback. Nhập client id của ứng dụng và đăng nhập trên trình duyệt bằng tài khoản thương hiệu; access token sau đó sẽ tự làm mới.</translation>
    </message>
    <message>
        <source>In your community, open Manage → API usage → Access tokens and create a key with access to community messages, management and the wall. On the Long Poll API tab, switch Long Poll on and tick incoming messages and wall comments. Paste the key here; it stays valid until you delete it there.</source>
        <translation>Trong cộng đồng, mở Manage → API usage → Access tokens và tạo khóa có quyền truy cập tin nhắn cộng đồng, quản lý và tường. Ở thẻ Long Poll API, bật Long Poll và chọn tin nhắn đến cùng bình luận trên tường. Dán khóa vào đây; khóa có hiệu lực cho đến khi bạn xóa nó.</translation>
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
        <translation>Trên máy chủ của bạn, mở Preferences → Development → New application. Cấp quyền read và write:statuses, lưu lại và sao chép “Your access token”. Nhập địa chỉ máy chủ (ví dụ https://mastodon.social) vào Base URL.</translation>
    </message>
    <message>
        <source>Only professional (Business or Creator) accounts can be connected. Create an app at developers.facebook.com with the Instagram product and sign in with the browser using its client id, or paste an Instagram user access token. Long-lived tokens last 60 days; SMM Desk refreshes them before they expire.</source>
        <translation>Chỉ kết nối được tài khoản chuyên nghiệp (Business hoặc Creator). Tạo ứng dụng tại developers.facebook.com với sản phẩm Instagram và đăng nhập trên trình duyệt bằng client id, hoặc dán user access token của Instagram. Token dài hạn có hiệu lực 60 ngày; SMM Desk làm mới trước khi hết hạn.</translation>
    </message>
    <message>
        <source>Page access token</source>
        <translation>Page access token</translation>
    </message>
    <message>
        <source>Password or app password</source>
        <translation>Mật khẩu hoặc mật khẩu ứng dụng</translation>
    </message>
    <message>
        <source>Paste the access token the network gave you.</source>
        <translation>Dán access token mà mạng xã hội đã cấp.</translation>
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
        <translation>Token</translation>
    </message>
    <message>
        <source>Use the mailbox address as the name and its password. Gmail, iCloud, Yahoo and Outlook with two-step verification want an app password instead, made in the account&apos;s security settings. The IMAP and SMTP servers go in the options.</source>
        <translation>Dùng địa chỉ hộp thư làm tên cùng mật khẩu của nó. Gmail, iCloud, Yahoo và Outlook có xác minh hai bước yêu cầu mật khẩu ứng dụng, tạo trong phần cài đặt bảo mật của tài khoản. Máy chủ IMAP và SMTP nhập ở phần tùy chọn.</translation>
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
        <translation>Cao</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Thấp</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Thường</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Khẩn</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>&lt;1 min</source>
        <translation>&lt;1 phút</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Người xử lý</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Khách hàng</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Bộ phận</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>Phản hồi đầu tiên</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Tin nhắn</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Mạng</translation>
    </message>
    <message>
        <source>Next response</source>
        <translation>Phản hồi tiếp theo</translation>
    </message>
    <message>
        <source>No response owed</source>
        <translation>Không cần phản hồi</translation>
    </message>
    <message>
        <source>Opened {time}</source>
        <translation>Mở lúc {time}</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Ưu tiên</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Giải quyết</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Phản hồi</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>SLA</translation>
    </message>
    <message>
        <source>breached +{duration}</source>
        <translation>quá hạn +{duration}</translation>
    </message>
    <message>
        <source>breached just now</source>
        <translation>vừa quá hạn</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>tạm dừng</translation>
    </message>
    <message>
        <source>warning {clock} left</source>
        <translation>cảnh báo, còn {clock}</translation>
    </message>
    <message>
        <source>{clock} left</source>
        <translation>còn {clock}</translation>
    </message>
    <message>
        <source>{days} d {hours} h</source>
        <translation>{days} ngày {hours} giờ</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} giờ {minutes} phút</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} phút</translation>
    </message>
    <message>
        <source>{target} due at {time}</source>
        <translation>{target} đến hạn lúc {time}</translation>
    </message>
    <message>
        <source>{target}: paused while waiting for the customer</source>
        <translation>{target}: tạm dừng trong khi chờ khách hàng</translation>
    </message>
</context>
<context>
    <name>QueueService</name>
    <message>
        <source>All open</source>
        <translation>Tất cả đang mở</translation>
    </message>
    <message>
        <source>Breaching soon</source>
        <translation>Sắp quá hạn</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Đã đóng</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Bộ phận</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>Của tôi</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Mạng</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Đã giải quyết</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Spam</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Chưa giao</translation>
    </message>
    <message>
        <source>Waiting on department</source>
        <translation>Chờ bộ phận</translation>
    </message>
</context>
<context>
    <name>ReplyWindow</name>
    <message>
        <source>{name} lets a business answer within 24 hours of the customer&apos;s last message.</source>
        <translation>{name} cho phép doanh nghiệp trả lời trong vòng 24 giờ kể từ tin nhắn cuối của khách hàng.</translation>
    </message>
    <message>
        <source>{name} only lets a business answer a message: wait for the customer to write.</source>
        <translation>{name} chỉ cho phép doanh nghiệp trả lời tin nhắn: hãy chờ khách hàng nhắn trước.</translation>
    </message>
    <message>
        <source>{name} only lets a business reply where the customer mentioned or quoted it, and this customer did not: answer by direct message, or wait until they mention us.</source>
        <translation>{name} chỉ cho phép doanh nghiệp trả lời khi khách hàng nhắc đến hoặc trích dẫn doanh nghiệp, và khách hàng này chưa làm vậy: hãy trả lời qua tin nhắn riêng hoặc chờ đến khi họ nhắc đến chúng ta.</translation>
    </message>
    <message>
        <source>{name}&apos;s 24-hour window and the 7-day HUMAN_AGENT allowance have both passed: the reply will be refused until the customer writes again.</source>
        <translation>Đã qua cả thời hạn 24 giờ và 7 ngày với thẻ HUMAN_AGENT của {name}: phản hồi sẽ bị từ chối cho đến khi khách hàng nhắn lại.</translation>
    </message>
    <message>
        <source>{name}&apos;s 24-hour window has closed. A person may still answer with the HUMAN_AGENT tag for up to 7 days after the customer&apos;s last message.</source>
        <translation>Thời hạn 24 giờ của {name} đã kết thúc. Nhân viên vẫn có thể trả lời với thẻ HUMAN_AGENT trong tối đa 7 ngày kể từ tin nhắn cuối của khách hàng.</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message numerus="yes">
        <source>%n repl(y|ies) written.</source>
        <translation>
            <numerusform>Đã ghi %n phản hồi.</numerusform>
        </translation>
    </message>
    <message>
        <source>(UTC days)</source>
        <translation>(ngày theo UTC)</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>Tất cả bộ phận</translation>
    </message>
    <message>
        <source>Backlog now</source>
        <translation>Tồn đọng hiện tại</translation>
    </message>
    <message>
        <source>Backlog now: open cases by agent</source>
        <translation>Tồn đọng: yêu cầu đang mở theo nhân viên</translation>
    </message>
    <message>
        <source>Backlog now: open cases by department</source>
        <translation>Tồn đọng: yêu cầu đang mở theo bộ phận</translation>
    </message>
    <message>
        <source>Backlog now: open cases by network</source>
        <translation>Tồn đọng: yêu cầu đang mở theo mạng</translation>
    </message>
    <message>
        <source>By agent</source>
        <translation>Theo nhân viên</translation>
    </message>
    <message>
        <source>By department</source>
        <translation>Theo bộ phận</translation>
    </message>
    <message>
        <source>By network</source>
        <translation>Theo mạng</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Sổ làm việc Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Xuất thất bại</translation>
    </message>
    <message>
        <source>Export reply log</source>
        <translation>Xuất nhật ký phản hồi</translation>
    </message>
    <message>
        <source>Export reply log…</source>
        <translation>Xuất nhật ký phản hồi…</translation>
    </message>
    <message>
        <source>First response, median</source>
        <translation>Phản hồi đầu, trung vị</translation>
    </message>
    <message>
        <source>First response, p90</source>
        <translation>Phản hồi đầu, p90</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ</translation>
    </message>
    <message>
        <source>Incoming messages</source>
        <translation>Tin nhắn đến</translation>
    </message>
    <message>
        <source>Incoming vs handled per day (UTC)</source>
        <translation>Đến và đã xử lý theo ngày (UTC)</translation>
    </message>
    <message>
        <source>Incoming vs handled per department</source>
        <translation>Đến và đã xử lý theo bộ phận</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 ngày</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 ngày</translation>
    </message>
    <message>
        <source>New cases</source>
        <translation>Yêu cầu mới</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>Yêu cầu đang mở</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Theo ngày</translation>
    </message>
    <message>
        <source>Per department</source>
        <translation>Theo bộ phận</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Replies delivered</source>
        <translation>Phản hồi đã gửi</translation>
    </message>
    <message>
        <source>Reply log exported</source>
        <translation>Đã xuất nhật ký phản hồi</translation>
    </message>
    <message>
        <source>Resolved cases</source>
        <translation>Yêu cầu đã giải quyết</translation>
    </message>
    <message>
        <source>SLA met</source>
        <translation>Đạt SLA</translation>
    </message>
    <message>
        <source>nearest rank</source>
        <translation>hạng gần nhất</translation>
    </message>
    <message>
        <source>no reply judged</source>
        <translation>chưa có phản hồi được đánh giá</translation>
    </message>
    <message>
        <source>open cases</source>
        <translation>yêu cầu đang mở</translation>
    </message>
    <message numerus="yes">
        <source>over %n case(s)</source>
        <translation>
            <numerusform>trên %n yêu cầu</numerusform>
        </translation>
    </message>
    <message>
        <source>to</source>
        <translation>đến</translation>
    </message>
    <message>
        <source>{count} a day</source>
        <translation>{count} mỗi ngày</translation>
    </message>
    <message>
        <source>{count} more</source>
        <translation>thêm {count}</translation>
    </message>
    <message numerus="yes">
        <source>{met} of %n repl(y|ies)</source>
        <translation>
            <numerusform>{met}/%n phản hồi</numerusform>
        </translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} phút {seconds} giây</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} giây</translation>
    </message>
</context>
<context>
    <name>RuleEditor</name>
    <message>
        <source>(leave as is)</source>
        <translation>(giữ nguyên)</translation>
    </message>
    <message>
        <source>(leave unrouted)</source>
        <translation>(không chuyển)</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Tài khoản</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Thêm</translation>
    </message>
    <message>
        <source>All rules: department {department}, priority {priority}, tags {tags}; matched {rules}.</source>
        <translation>Tất cả quy tắc: bộ phận {department}, ưu tiên {priority}, nhãn {tags}; khớp {rules}.</translation>
    </message>
    <message>
        <source>All rules: no rule matches; the case would stay unrouted.</source>
        <translation>Tất cả quy tắc: không quy tắc nào khớp; yêu cầu sẽ không được chuyển.</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Bất kỳ</translation>
    </message>
    <message>
        <source>Any when none is ticked</source>
        <translation>Bất kỳ nếu không chọn mục nào</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Người xử lý</translation>
    </message>
    <message>
        <source>Author on the VIP list</source>
        <translation>Tác giả trong danh sách VIP</translation>
    </message>
    <message>
        <source>Author on the block list</source>
        <translation>Tác giả trong danh sách chặn</translation>
    </message>
    <message>
        <source>Contains a link</source>
        <translation>Có liên kết</translation>
    </message>
    <message>
        <source>Continue matching: later rules may add to this one</source>
        <translation>Tiếp tục so khớp: các quy tắc sau có thể bổ sung</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Bộ phận</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Xuống</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Bật</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Inside business hours</source>
        <translation>Trong giờ làm việc</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>Từ khóa</translation>
    </message>
    <message>
        <source>Kinds</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Đánh dấu là spam</translation>
    </message>
    <message>
        <source>Move the rule down</source>
        <translation>Chuyển quy tắc xuống</translation>
    </message>
    <message>
        <source>Move the rule up</source>
        <translation>Chuyển quy tắc lên</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Negative tone</source>
        <translation>Giọng tiêu cực</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Mạng</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>Quy tắc mới</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Không</translation>
    </message>
    <message>
        <source>Paste a customer&apos;s message</source>
        <translation>Dán tin nhắn của khách hàng</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Xem trước</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Ưu tiên</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>Biểu thức chính quy</translation>
    </message>
    <message>
        <source>Routing rules</source>
        <translation>Quy tắc định tuyến</translation>
    </message>
    <message>
        <source>Rules, top to bottom: the first that matches routes the case. Tick to enable, drag or use the arrows to reorder.</source>
        <translation>Quy tắc từ trên xuống: quy tắc khớp đầu tiên sẽ chuyển yêu cầu. Đánh dấu để bật, kéo thả hoặc dùng mũi tên để sắp xếp.</translation>
    </message>
    <message>
        <source>SLA policy</source>
        <translation>Chính sách SLA</translation>
    </message>
    <message>
        <source>SLA policy name (the department&apos;s when empty)</source>
        <translation>Tên chính sách SLA (để trống: theo bộ phận)</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Nhãn</translation>
    </message>
    <message>
        <source>The rule&apos;s id in exported files; unique</source>
        <translation>Id của quy tắc trong tệp xuất; không trùng</translation>
    </message>
    <message>
        <source>Then</source>
        <translation>Thì</translation>
    </message>
    <message>
        <source>This rule does not match.</source>
        <translation>Quy tắc này không khớp.</translation>
    </message>
    <message>
        <source>This rule matches.</source>
        <translation>Quy tắc này khớp.</translation>
    </message>
    <message>
        <source>Try</source>
        <translation>Thử</translation>
    </message>
    <message>
        <source>Try on text</source>
        <translation>Thử với văn bản</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Lên</translation>
    </message>
    <message>
        <source>When every given condition holds</source>
        <translation>Khi mọi điều kiện đã đặt đều đúng</translation>
    </message>
    <message>
        <source>Which of the last {count} cases this rule would catch, judged on each case&apos;s first message (before saving).</source>
        <translation>Những yêu cầu nào trong {count} yêu cầu gần nhất sẽ khớp quy tắc này, xét theo tin nhắn đầu tiên của mỗi yêu cầu (trước khi lưu).</translation>
    </message>
    <message>
        <source>Would catch {count} of the last {examined} cases.</source>
        <translation>Sẽ khớp {count} trong {examined} yêu cầu gần nhất.</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Có</translation>
    </message>
    <message>
        <source>account ids, comma-separated (any when empty)</source>
        <translation>id tài khoản, cách nhau bằng dấu phẩy (để trống: bất kỳ)</translation>
    </message>
    <message>
        <source>another rule already has the id {id}</source>
        <translation>id {id} đã được dùng cho quy tắc khác</translation>
    </message>
    <message>
        <source>author (for VIP/block lists)</source>
        <translation>tác giả (cho danh sách VIP/chặn)</translation>
    </message>
    <message>
        <source>comma-separated</source>
        <translation>cách nhau bằng dấu phẩy</translation>
    </message>
    <message>
        <source>one keyword or phrase per line; refund* for a prefix</source>
        <translation>mỗi dòng một từ khóa hoặc cụm từ; refund* để khớp tiền tố</translation>
    </message>
    <message>
        <source>optional pattern (RE2), e.g. {example}</source>
        <translation>mẫu RE2 (tùy chọn), ví dụ {example}</translation>
    </message>
    <message>
        <source>spam</source>
        <translation>spam</translation>
    </message>
    <message>
        <source>{name} (not a department)</source>
        <translation>{name} (không phải bộ phận)</translation>
    </message>
    <message>
        <source>✓ valid pattern</source>
        <translation>✓ mẫu hợp lệ</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source> min</source>
        <translation> phút</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Tài khoản</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Thêm</translation>
    </message>
    <message>
        <source>Add a department</source>
        <translation>Thêm bộ phận</translation>
    </message>
    <message>
        <source>Added {name}</source>
        <translation>Đã thêm {name}</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Giao diện</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Theo hệ thống</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Base URL</translation>
    </message>
    <message>
        <source>Canned replies; placeholders {customer}, {agent} and {department} are filled in the composer.</source>
        <translation>Câu trả lời mẫu; các chỗ trống {customer}, {agent} và {department} được điền khi soạn.</translation>
    </message>
    <message>
        <source>Click a field and press the new key. Keys do nothing while you type in a text field.</source>
        <translation>Nhấp vào ô rồi nhấn phím mới. Phím tắt không hoạt động khi bạn đang gõ trong ô văn bản.</translation>
    </message>
    <message>
        <source>Connect an account</source>
        <translation>Kết nối tài khoản</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Đã kết nối</translation>
    </message>
    <message>
        <source>Connected {name}; test it above</source>
        <translation>Đã kết nối {name}; hãy kiểm tra ở trên</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Tối</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Bộ phận</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Bộ phận</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>Phản hồi đầu tiên</translation>
    </message>
    <message>
        <source>Keys 1–9 route the selected cases to the first nine departments, in this order.</source>
        <translation>Phím 1–9 chuyển các yêu cầu đã chọn đến chín bộ phận đầu tiên, theo thứ tự này.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Sáng</translation>
    </message>
    <message>
        <source>Light or dark changes at once.</source>
        <translation>Giao diện sáng hoặc tối được áp dụng ngay.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <source>Needs a new token</source>
        <translation>Cần token mới</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Mạng</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Thông báo</translation>
    </message>
    <message>
        <source>Notify me when a case nears or passes its response target</source>
        <translation>Thông báo khi yêu cầu sắp đến hoặc đã quá hạn phản hồi</translation>
    </message>
    <message>
        <source>Own first-response target</source>
        <translation>Hạn phản hồi đầu riêng</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Đã tạm dừng</translation>
    </message>
    <message>
        <source>Paused: nothing is fetched or sent for it</source>
        <translation>Đã tạm dừng: không tải và không gửi gì cho tài khoản này</translation>
    </message>
    <message>
        <source>Quiet hours</source>
        <translation>Giờ yên tĩnh</translation>
    </message>
    <message>
        <source>Quiet hours hold notifications back (an end earlier than the start runs past midnight); the tray keeps counting breaching cases.</source>
        <translation>Trong giờ yên tĩnh, thông báo được tạm giữ (giờ kết thúc sớm hơn giờ bắt đầu nghĩa là kéo qua nửa đêm); biểu tượng khay vẫn đếm các yêu cầu quá hạn.</translation>
    </message>
    <message>
        <source>Rate limited</source>
        <translation>Bị giới hạn</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>Xóa tài khoản</translation>
    </message>
    <message>
        <source>Remove {network} account {name}? Its cases, messages and replies leave the desk, and its secrets leave the keyring.</source>
        <translation>Xóa tài khoản {network} {name}? Các yêu cầu, tin nhắn và phản hồi của tài khoản sẽ bị xóa khỏi SMM Desk, và bí mật của nó bị xóa khỏi kho khóa.</translation>
    </message>
    <message>
        <source>Removed {name}</source>
        <translation>Đã xóa {name}</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Khôi phục mặc định</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <source>Resumed: it syncs again</source>
        <translation>Đã tiếp tục: đồng bộ trở lại</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>Phím tắt</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Hạn</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Mẫu</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Kiểm tra kết nối</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Đang kiểm tra kết nối…</translation>
    </message>
    <message>
        <source>The new appearance is used the next time SMM Desk starts.</source>
        <translation>Giao diện mới sẽ được dùng từ lần khởi động SMM Desk tiếp theo.</translation>
    </message>
    <message>
        <source>The new language is used the next time SMM Desk starts.</source>
        <translation>Ngôn ngữ mới sẽ được dùng từ lần khởi động SMM Desk tiếp theo.</translation>
    </message>
    <message>
        <source>account {id}</source>
        <translation>tài khoản {id}</translation>
    </message>
    <message>
        <source>from</source>
        <translation>từ</translation>
    </message>
    <message>
        <source>no key</source>
        <translation>không có phím</translation>
    </message>
    <message>
        <source>to</source>
        <translation>đến</translation>
    </message>
    <message>
        <source>workspace default</source>
        <translation>mặc định</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation>{hours} giờ</translation>
    </message>
    <message>
        <source>“{action}” is now {key}</source>
        <translation>“{action}” giờ là {key}</translation>
    </message>
</context>
<context>
    <name>SettingsService</name>
    <message>
        <source>Sign-in did not complete</source>
        <translation>Đăng nhập chưa hoàn tất</translation>
    </message>
    <message>
        <source>Signed in to SMM Desk</source>
        <translation>Đã đăng nhập vào SMM Desk</translation>
    </message>
    <message>
        <source>You can close this tab and return to SMM Desk.</source>
        <translation>Bạn có thể đóng thẻ này và quay lại SMM Desk.</translation>
    </message>
    <message>
        <source>{detail} You can close this tab and try again in SMM Desk.</source>
        <translation>{detail} Bạn có thể đóng thẻ này và thử lại trong SMM Desk.</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message numerus="yes">
        <source>%n account(s) offline</source>
        <translation>
            <numerusform>%n tài khoản mất kết nối</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) ok</source>
        <translation>
            <numerusform>%n tài khoản hoạt động tốt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) paused</source>
        <translation>
            <numerusform>%n tài khoản đang tạm dừng</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repl(y|ies) (waits|wait) in the outbox and will leave when the connection is back.</source>
        <translation>
            <numerusform>%n phản hồi đang chờ trong hộp thư đi và sẽ được gửi khi có kết nối trở lại.</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline — no network can be reached. Reading, triage and replies keep working.</source>
        <translation>Ngoại tuyến — không kết nối được mạng nào. Vẫn có thể đọc, phân loại và trả lời.</translation>
    </message>
    <message>
        <source>Outbox empty</source>
        <translation>Hộp thư đi trống</translation>
    </message>
    <message numerus="yes">
        <source>Outbox: %n repl(y|ies) waiting</source>
        <translation>
            <numerusform>Hộp thư đi: %n phản hồi đang chờ</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconnect…</source>
        <translation>Kết nối lại…</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>đã kết nối</translation>
    </message>
    <message>
        <source>error</source>
        <translation>lỗi</translation>
    </message>
    <message>
        <source>needs sign-in</source>
        <translation>cần đăng nhập</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>ngoại tuyến</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>tạm dừng</translation>
    </message>
    <message>
        <source>rate-limited</source>
        <translation>bị giới hạn</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>Duplicate clusters</source>
        <translation>Cụm trùng lặp</translation>
    </message>
    <message>
        <source>Duplicate clusters…</source>
        <translation>Cụm trùng lặp…</translation>
    </message>
    <message>
        <source>Open a case first.</source>
        <translation>Hãy mở một yêu cầu trước.</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <source>Reports…</source>
        <translation>Báo cáo…</translation>
    </message>
    <message>
        <source>Routing rules…</source>
        <translation>Quy tắc định tuyến…</translation>
    </message>
    <message>
        <source>Send to department</source>
        <translation>Chuyển cho bộ phận</translation>
    </message>
    <message>
        <source>Send to department…</source>
        <translation>Chuyển cho bộ phận…</translation>
    </message>
    <message>
        <source>VIP and block lists…</source>
        <translation>Danh sách VIP và danh sách chặn…</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> và %n yêu cầu khác</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) need a reply</source>
        <translation>
            <numerusform>%n yêu cầu cần trả lời</numerusform>
        </translation>
    </message>
    <message>
        <source>Case {id}</source>
        <translation>Yêu cầu {id}</translation>
    </message>
    <message>
        <source>Case {id} ({network}) is past its resolution target.</source>
        <translation>Yêu cầu {id} ({network}) đã quá hạn giải quyết.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) is past its response target.</source>
        <translation>Yêu cầu {id} ({network}) đã quá hạn phản hồi.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) reached its SLA warning.</source>
        <translation>Yêu cầu {id} ({network}) đã đến mức cảnh báo SLA.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) reached its resolution warning.</source>
        <translation>Yêu cầu {id} ({network}) sắp đến hạn giải quyết.</translation>
    </message>
    <message>
        <source>In warning: {names}</source>
        <translation>Đang cảnh báo: {names}</translation>
    </message>
    <message>
        <source>Reply soon — {who}</source>
        <translation>Hãy trả lời sớm — {who}</translation>
    </message>
    <message>
        <source>Resolution due soon — {who}</source>
        <translation>Sắp đến hạn giải quyết — {who}</translation>
    </message>
    <message>
        <source>Resolution overdue — {who}</source>
        <translation>Quá hạn giải quyết — {who}</translation>
    </message>
    <message>
        <source>Response overdue — {who}</source>
        <translation>Phản hồi quá hạn — {who}</translation>
    </message>
    <message numerus="yes">
        <source>SMM Desk — %n case(s) breaching soon</source>
        <translation>
            <numerusform>SMM Desk — %n yêu cầu sắp quá hạn</numerusform>
        </translation>
    </message>
    <message>
        <source>SMM Desk — no case breaching soon</source>
        <translation>SMM Desk — không có yêu cầu sắp quá hạn</translation>
    </message>
    <message>
        <source>Under a minute left.</source>
        <translation>Còn chưa đến một phút.</translation>
    </message>
    <message>
        <source>{minutes} min left to answer.</source>
        <translation>Còn {minutes} phút để trả lời.</translation>
    </message>
    <message>
        <source>{overdue} overdue, {warning} in warning: {names}</source>
        <translation>{overdue} quá hạn, {warning} đang cảnh báo: {names}</translation>
    </message>
</context>
<context>
    <name>Triage</name>
    <message>
        <source>Assign to me</source>
        <translation>Giao cho tôi</translation>
    </message>
    <message numerus="yes">
        <source>Assigned %n case(s) to {agent}</source>
        <translation>
            <numerusform>Đã giao %n yêu cầu cho {agent}</numerusform>
        </translation>
    </message>
    <message>
        <source>Back to the queue</source>
        <translation>Quay lại hàng đợi</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Đánh dấu là spam</translation>
    </message>
    <message numerus="yes">
        <source>Marked %n case(s) as spam</source>
        <translation>
            <numerusform>Đã đánh dấu %n yêu cầu là spam</numerusform>
        </translation>
    </message>
    <message>
        <source>Next case</source>
        <translation>Yêu cầu tiếp theo</translation>
    </message>
    <message>
        <source>No case selected</source>
        <translation>Chưa chọn yêu cầu</translation>
    </message>
    <message numerus="yes">
        <source>No department {number}: there (is|are) %n</source>
        <translation>
            <numerusform>Không có bộ phận {number}: chỉ có %n bộ phận</numerusform>
        </translation>
    </message>
    <message>
        <source>Previous case</source>
        <translation>Yêu cầu trước</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Trả lời</translation>
    </message>
    <message>
        <source>Resolve and open the next</source>
        <translation>Giải quyết và mở yêu cầu tiếp</translation>
    </message>
    <message numerus="yes">
        <source>Resolved %n case(s)</source>
        <translation>
            <numerusform>Đã giải quyết %n yêu cầu</numerusform>
        </translation>
    </message>
    <message>
        <source>Route to department {n}</source>
        <translation>Chuyển đến bộ phận {n}</translation>
    </message>
    <message>
        <source>Route to {department}</source>
        <translation>Chuyển đến {department}</translation>
    </message>
    <message numerus="yes">
        <source>Routed %n case(s) to {department}</source>
        <translation>
            <numerusform>Đã chuyển %n yêu cầu đến {department}</numerusform>
        </translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Tìm kiếm</translation>
    </message>
    <message>
        <source>Show keyboard shortcuts</source>
        <translation>Hiện phím tắt</translation>
    </message>
    <message>
        <source>{key} is already bound to “{action}”. Choose another key, or rebind that action first.</source>
        <translation>{key} đã được gán cho “{action}”. Hãy chọn phím khác hoặc gán lại thao tác đó trước.</translation>
    </message>
</context>
</TS>
