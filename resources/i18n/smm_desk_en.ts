<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en">
<context>
    <name>AuthorLists</name>
    <message>
        <source>@handle or user id, one per line</source>
        <translation>@handle or user id, one per line</translation>
    </message>
    <message>
        <source>Blocked authors</source>
        <translation>Blocked authors</translation>
    </message>
    <message>
        <source>One author per line: the network&apos;s user id or a handle such as @anna. Routing rules can send VIP authors&apos; cases first and set blocked authors&apos; cases aside as spam.</source>
        <translation>One author per line: the network&apos;s user id or a handle such as @anna. Routing rules can send VIP authors&apos; cases first and set blocked authors&apos; cases aside as spam.</translation>
    </message>
    <message>
        <source>Saved: {vip} VIP, {blocked} blocked.</source>
        <translation>Saved: {vip} VIP, {blocked} blocked.</translation>
    </message>
    <message>
        <source>VIP and block lists</source>
        <translation>VIP and block lists</translation>
    </message>
    <message>
        <source>VIP authors</source>
        <translation>VIP authors</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>A reply failed: {error}</source>
        <translation>A reply failed: {error}</translation>
    </message>
    <message>
        <source>A reply may not have gone out: {reason} — check before resending</source>
        <translation>A reply may not have gone out: {reason} — check before resending</translation>
    </message>
    <message>
        <source>Assigned to {assignee} {who}</source>
        <translation>Assigned to {assignee} {who}</translation>
    </message>
    <message>
        <source>Assignee: {assignee}</source>
        <translation>Assignee: {assignee}</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Comment</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Customer</translation>
    </message>
    <message>
        <source>Department SLA breached: {department} has not answered the handoff in time</source>
        <translation>Department SLA breached: {department} has not answered the handoff in time</translation>
    </message>
    <message>
        <source>Department SLA warning: {department} should answer the handoff soon</source>
        <translation>Department SLA warning: {department} should answer the handoff soon</translation>
    </message>
    <message>
        <source>Department: {department}</source>
        <translation>Department: {department}</translation>
    </message>
    <message>
        <source>Direct message</source>
        <translation>Direct message</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Handed off to {department}</source>
        <translation>Handed off to {department}</translation>
    </message>
    <message>
        <source>Mention</source>
        <translation>Mention</translation>
    </message>
    <message>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>No messages yet</translation>
    </message>
    <message>
        <source>No response owed</source>
        <translation>No response owed</translation>
    </message>
    <message>
        <source>Note {who}: {text}</source>
        <translation>Note {who}: {text}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Open on the network</source>
        <translation>Open on the network</translation>
    </message>
    <message>
        <source>Open on {network}</source>
        <translation>Open on {network}</translation>
    </message>
    <message>
        <source>Opening the case…</source>
        <translation>Opening the case…</translation>
    </message>
    <message>
        <source>Priority {old} → {new} {who}</source>
        <translation>Priority {old} → {new} {who}</translation>
    </message>
    <message>
        <source>Priority: {priority}</source>
        <translation>Priority: {priority}</translation>
    </message>
    <message>
        <source>Queued · waiting in the outbox</source>
        <translation>Queued · waiting in the outbox</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>Routed to {department} {how}</source>
        <translation>Routed to {department} {how}</translation>
    </message>
    <message>
        <source>SLA breached: {target} overdue</source>
        <translation>SLA breached: {target} overdue</translation>
    </message>
    <message>
        <source>SLA warning: {target} due soon</source>
        <translation>SLA warning: {target} due soon</translation>
    </message>
    <message>
        <source>Select a case in the queue to read and answer it.</source>
        <translation>Select a case in the queue to read and answer it.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Spam</translation>
    </message>
    <message>
        <source>Status {old} → {new} {who}</source>
        <translation>Status {old} → {new} {who}</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>Status: {status}</translation>
    </message>
    <message>
        <source>Tagged {tags} {who}</source>
        <translation>Tagged {tags} {who}</translation>
    </message>
    <message>
        <source>The handoff to {department} failed: {error}</source>
        <translation>The handoff to {department} failed: {error}</translation>
    </message>
    <message>
        <source>This case is no longer in the workspace.</source>
        <translation>This case is no longer in the workspace.</translation>
    </message>
    <message>
        <source>Unassigned {who}</source>
        <translation>Unassigned {who}</translation>
    </message>
    <message>
        <source>Uncertain · check before resending</source>
        <translation>Uncertain · check before resending</translation>
    </message>
    <message>
        <source>Unknown customer</source>
        <translation>Unknown customer</translation>
    </message>
    <message>
        <source>Us</source>
        <translation>Us</translation>
    </message>
    <message>
        <source>Waiting on customer</source>
        <translation>Waiting on customer</translation>
    </message>
    <message>
        <source>Waiting on department</source>
        <translation>Waiting on department</translation>
    </message>
    <message>
        <source>answered outside SMM Desk</source>
        <translation>answered outside SMM Desk</translation>
    </message>
    <message>
        <source>automatically</source>
        <translation>automatically</translation>
    </message>
    <message>
        <source>by rule “{rule}”</source>
        <translation>by rule “{rule}”</translation>
    </message>
    <message>
        <source>by {name}</source>
        <translation>by {name}</translation>
    </message>
    <message>
        <source>composed {time}</source>
        <translation>composed {time}</translation>
    </message>
    <message>
        <source>customer</source>
        <translation>customer</translation>
    </message>
    <message>
        <source>delivered {time}</source>
        <translation>delivered {time}</translation>
    </message>
    <message>
        <source>first response</source>
        <translation>first response</translation>
    </message>
    <message>
        <source>handoff to {department}</source>
        <translation>handoff to {department}</translation>
    </message>
    <message>
        <source>next response</source>
        <translation>next response</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>nobody</translation>
    </message>
    <message>
        <source>on post {post}</source>
        <translation>on post {post}</translation>
    </message>
    <message>
        <source>open on the network</source>
        <translation>open on the network</translation>
    </message>
    <message>
        <source>our reply</source>
        <translation>our reply</translation>
    </message>
    <message>
        <source>resolution</source>
        <translation>resolution</translation>
    </message>
    <message>
        <source>response</source>
        <translation>response</translation>
    </message>
    <message>
        <source>sent from the desk</source>
        <translation>sent from the desk</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>someone</translation>
    </message>
    <message>
        <source>the SLA clock</source>
        <translation>the SLA clock</translation>
    </message>
    <message>
        <source>the department</source>
        <translation>the department</translation>
    </message>
</context>
<context>
    <name>ClustersPanel</name>
    <message numerus="yes">
        <source>%n cluster(s) · {open} open cases</source>
        <translation>
            <numerusform>%n cluster · {open} open cases</numerusform>
            <numerusform>%n clusters · {open} open cases</numerusform>
        </translation>
    </message>
    <message>
        <source>Angry customers, fraud accusations or legal threats are arriving together; consider routing them to PR/Crisis.</source>
        <translation>Angry customers, fraud accusations or legal threats are arriving together; consider routing them to PR/Crisis.</translation>
    </message>
    <message>
        <source>Answer all</source>
        <translation>Answer all</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>Department:</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>Duplicate clusters</source>
        <translation>Duplicate clusters</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Last seen</translation>
    </message>
    <message numerus="yes">
        <source>Mark all %n open case(s) of this cluster as spam?</source>
        <translation>
            <numerusform>Mark all %n open case of this cluster as spam?</numerusform>
            <numerusform>Mark all %n open cases of this cluster as spam?</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark all as spam</source>
        <translation>Mark all as spam</translation>
    </message>
    <message>
        <source>Mark all spam</source>
        <translation>Mark all spam</translation>
    </message>
    <message numerus="yes">
        <source>Marked %n case(s) as spam.</source>
        <translation>
            <numerusform>Marked %n case as spam.</numerusform>
            <numerusform>Marked %n cases as spam.</numerusform>
        </translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Networks</translation>
    </message>
    <message>
        <source>No duplicate clusters right now. Near-identical messages arriving across accounts and networks will be grouped here.</source>
        <translation>No duplicate clusters right now. Near-identical messages arriving across accounts and networks will be grouped here.</translation>
    </message>
    <message>
        <source>One reply, sent separately to every open case in this cluster</source>
        <translation>One reply, sent separately to every open case in this cluster</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message numerus="yes">
        <source>Possible crisis: %n negative message(s) within {span} on {where}</source>
        <translation>
            <numerusform>Possible crisis: %n negative message within {span} on {where}</numerusform>
            <numerusform>Possible crisis: %n negative messages within {span} on {where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reply queued to %n case(s); each leaves with the outbox.</source>
        <translation>
            <numerusform>Reply queued to %n case; each leaves with the outbox.</numerusform>
            <numerusform>Reply queued to %n cases; each leaves with the outbox.</numerusform>
        </translation>
    </message>
    <message>
        <source>Route all</source>
        <translation>Route all</translation>
    </message>
    <message numerus="yes">
        <source>Routed %n case(s) to {department}.</source>
        <translation>
            <numerusform>Routed %n case to {department}.</numerusform>
            <numerusform>Routed %n cases to {department}.</numerusform>
        </translation>
    </message>
    <message>
        <source>Show cases</source>
        <translation>Show cases</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>your accounts</source>
        <translation>your accounts</translation>
    </message>
    <message>
        <source>{open} of {size}</source>
        <translation>{open} of {size}</translation>
    </message>
    <message numerus="yes">
        <source>{open} open of {size} cases from %n account(s)</source>
        <translation>
            <numerusform>{open} open of {size} cases from %n account</numerusform>
            <numerusform>{open} open of {size} cases from %n accounts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{size} cases from %n account(s) on {networks} · first {first}, last {last}</source>
        <translation>
            <numerusform>{size} cases from %n account on {networks} · first {first}, last {last}</numerusform>
            <numerusform>{size} cases from %n accounts on {networks} · first {first}, last {last}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Draft not loaded: {error}</source>
        <translation>Draft not loaded: {error}</translation>
    </message>
    <message>
        <source>Draft not saved: {error}</source>
        <translation>Draft not saved: {error}</translation>
    </message>
    <message>
        <source>Draft saved</source>
        <translation>Draft saved</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Insert template…</source>
        <translation>Insert template…</translation>
    </message>
    <message>
        <source>Not queued: {error}</source>
        <translation>Not queued: {error}</translation>
    </message>
    <message>
        <source>Not retried: {error}</source>
        <translation>Not retried: {error}</translation>
    </message>
    <message>
        <source>Put the reply in the outbox (Ctrl+Enter)</source>
        <translation>Put the reply in the outbox (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Queue reply</source>
        <translation>Queue reply</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Queued</translation>
    </message>
    <message>
        <source>Reply queued</source>
        <translation>Reply queued</translation>
    </message>
    <message>
        <source>Reply window closed</source>
        <translation>Reply window closed</translation>
    </message>
    <message>
        <source>Reply window closed at {time}. {note}</source>
        <translation>Reply window closed at {time}. {note}</translation>
    </message>
    <message>
        <source>Reply window closed. {note}</source>
        <translation>Reply window closed. {note}</translation>
    </message>
    <message>
        <source>Reply window closes in {span} (at {time}). {note}</source>
        <translation>Reply window closes in {span} (at {time}). {note}</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Templates not loaded: {error}</source>
        <translation>Templates not loaded: {error}</translation>
    </message>
    <message>
        <source>The network&apos;s reply window for this conversation has closed. {note}

Queue the reply anyway?</source>
        <translation>The network&apos;s reply window for this conversation has closed. {note}

Queue the reply anyway?</translation>
    </message>
    <message>
        <source>Uncertain</source>
        <translation>Uncertain</translation>
    </message>
    <message>
        <source>Write a reply…</source>
        <translation>Write a reply…</translation>
    </message>
    <message>
        <source>check on the network before resending</source>
        <translation>check on the network before resending</translation>
    </message>
    <message>
        <source>delivered {time}</source>
        <translation>delivered {time}</translation>
    </message>
    <message>
        <source>the network refused it</source>
        <translation>the network refused it</translation>
    </message>
    <message>
        <source>waiting in the outbox</source>
        <translation>waiting in the outbox</translation>
    </message>
    <message>
        <source>will retry: {error}</source>
        <translation>will retry: {error}</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Continue</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation>Hide details</translation>
    </message>
    <message>
        <source>No log file is being written.</source>
        <translation>No log file is being written.</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>SMM Desk must close because of an internal error.</source>
        <translation>SMM Desk must close because of an internal error.</translation>
    </message>
    <message>
        <source>SMM Desk ran into an internal error.</source>
        <translation>SMM Desk ran into an internal error.</translation>
    </message>
    <message>
        <source>SMM Desk — something went wrong</source>
        <translation>SMM Desk — something went wrong</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Show details</translation>
    </message>
    <message>
        <source>The app cannot go on. Start it again; nothing that was saved is lost.</source>
        <translation>The app cannot go on. Start it again; nothing that was saved is lost.</translation>
    </message>
    <message>
        <source>The details are in the log file:</source>
        <translation>The details are in the log file:</translation>
    </message>
    <message>
        <source>You can continue working. If the problem comes back, quit and start the app again.</source>
        <translation>You can continue working. If the problem comes back, quit and start the app again.</translation>
    </message>
    <message>
        <source>Your draft could not be saved ({problem}). Copy it from the reply box before you quit.</source>
        <translation>Your draft could not be saved ({problem}). Copy it from the reply box before you quit.</translation>
    </message>
    <message>
        <source>Your draft is kept: the reply you were writing is saved and will be there when you open the case again.</source>
        <translation>Your draft is kept: the reply you were writing is saved and will be there when you open the case again.</translation>
    </message>
    <message>
        <source>the database refused it</source>
        <translation>the database refused it</translation>
    </message>
</context>
<context>
    <name>Desk</name>
    <message>
        <source>Demo workspace</source>
        <translation>Demo workspace</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Inbox</translation>
    </message>
</context>
<context>
    <name>HandoffDialog</name>
    <message>
        <source>(no target)</source>
        <translation>(no target)</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>Goes by</source>
        <translation>Goes by</translation>
    </message>
    <message>
        <source>Preview of what will be sent</source>
        <translation>Preview of what will be sent</translation>
    </message>
    <message>
        <source>Send case #{id} to a department</source>
        <translation>Send case #{id} to a department</translation>
    </message>
    <message>
        <source>Send to department</source>
        <translation>Send to department</translation>
    </message>
    <message>
        <source>Subject: {subject}</source>
        <translation>Subject: {subject}</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>What the department needs to know: the problem, what you checked, what you promised the customer.</source>
        <translation>What the department needs to know: the problem, what you checked, what you promised the customer.</translation>
    </message>
</context>
<context>
    <name>HelpOverlay</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Press ? or Esc to close · Change keys in Settings → Shortcuts</source>
        <translation>Press ? or Esc to close · Change keys in Settings → Shortcuts</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n case(s) in {view}</source>
        <translation>
            <numerusform>%n case in {view}</numerusform>
            <numerusform>%n cases in {view}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) in {view} matching “{search}”</source>
        <translation>
            <numerusform>%n case in {view} matching “{search}”</numerusform>
            <numerusform>%n cases in {view} matching “{search}”</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open case(s)</source>
        <translation>
            <numerusform>%n open case</numerusform>
            <numerusform>%n open cases</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Desk</source>
        <translation>&amp;Desk</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Keyboard shortcuts</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Tools</translation>
    </message>
    <message>
        <source>Case {id}</source>
        <translation>Case {id}</translation>
    </message>
    <message>
        <source>No open cases</source>
        <translation>No open cases</translation>
    </message>
    <message>
        <source>Reconnect the account</source>
        <translation>Reconnect the account</translation>
    </message>
    <message>
        <source>SMM Desk — {workspace}</source>
        <translation>SMM Desk — {workspace}</translation>
    </message>
    <message>
        <source>Search messages  ( / )</source>
        <translation>Search messages  ( / )</translation>
    </message>
    <message>
        <source>Select a case to read it here.</source>
        <translation>Select a case to read it here.</translation>
    </message>
    <message>
        <source>The network no longer accepts this account&apos;s token.

Remove it with:  smm-desk accounts remove {id}
then connect it again with a new token:
  smm-desk accounts add NETWORK --name NAME --token-stdin</source>
        <translation>The network no longer accepts this account&apos;s token.

Remove it with:  smm-desk accounts remove {id}
then connect it again with a new token:
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
        <translation>Acme Shop (the Page name)</translation>
    </message>
    <message>
        <source>Acme Shop (the channel name)</source>
        <translation>Acme Shop (the channel name)</translation>
    </message>
    <message>
        <source>App password</source>
        <translation>App password</translation>
    </message>
    <message>
        <source>At reddit.com/prefs/apps, create an app of type “installed app” with the redirect URI http://127.0.0.1:8765/callback — Reddit wants that exact address, so sign in with loopback port 8765. Give the app&apos;s client id and sign in with the browser as the brand account.</source>
        <translation>At reddit.com/prefs/apps, create an app of type “installed app” with the redirect URI http://127.0.0.1:8765/callback — Reddit wants that exact address, so sign in with loopback port 8765. Give the app&apos;s client id and sign in with the browser as the brand account.</translation>
    </message>
    <message>
        <source>Bluesky</source>
        <translation>Bluesky</translation>
    </message>
    <message>
        <source>Bot token</source>
        <translation>Bot token</translation>
    </message>
    <message>
        <source>Community access key</source>
        <translation>Community access key</translation>
    </message>
    <message>
        <source>Create a Business app at developers.facebook.com with Facebook Login and Messenger, and sign in with the browser using its client id. Or paste a Page access token made from a long-lived user token (Graph API Explorer → Get Page access token): it does not expire. It needs pages_messaging, pages_read_engagement and pages_manage_engagement.</source>
        <translation>Create a Business app at developers.facebook.com with Facebook Login and Messenger, and sign in with the browser using its client id. Or paste a Page access token made from a long-lived user token (Graph API Explorer → Get Page access token): it does not expire. It needs pages_messaging, pages_read_engagement and pages_manage_engagement.</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Facebook Pages</source>
        <translation>Facebook Pages</translation>
    </message>
    <message>
        <source>In Bluesky, open Settings → Privacy and security → App passwords and add one; allow access to direct messages if you answer DMs. Use your handle (for example acme.bsky.social) as the name and paste the app password, never your main password.</source>
        <translation>In Bluesky, open Settings → Privacy and security → App passwords and add one; allow access to direct messages if you answer DMs. Use your handle (for example acme.bsky.social) as the name and paste the app password, never your main password.</translation>
    </message>
    <message>
        <source>In Google Cloud Console, create a project, enable the YouTube Data API v3 and create an OAuth client of type Desktop app. Give its client id and client secret and sign in with the browser as the channel&apos;s owner or manager. While the app is in “Testing”, Google ends its sign-ins after 7 days: publish it for lasting access.</source>
        <translation>In Google Cloud Console, create a project, enable the YouTube Data API v3 and create an OAuth client of type Desktop app. Give its client id and client secret and sign in with the browser as the channel&apos;s owner or manager. While the app is in “Testing”, Google ends its sign-ins after 7 days: publish it for lasting access.</translation>
    </message>
    <message>
        <source>In Telegram, open a chat with @BotFather and send /newbot. Choose a name and a username that ends in “bot”; BotFather replies with the bot token (it looks like 123456:ABC-…). To answer comments under channel posts, add the bot as an admin of the channel&apos;s discussion group.</source>
        <translation>In Telegram, open a chat with @BotFather and send /newbot. Choose a name and a username that ends in “bot”; BotFather replies with the bot token (it looks like 123456:ABC-…). To answer comments under channel posts, add the bot as an admin of the channel&apos;s discussion group.</translation>
    </message>
    <message>
        <source>In the X developer portal, create a project and an app, turn on OAuth 2.0 as a Native App and add the loopback callback http://127.0.0.1/callback. Give the app&apos;s client id and sign in with the browser as the brand account; the access token is then refreshed on its own.</source>
        <translation>In the X developer portal, create a project and an app, turn on OAuth 2.0 as a Native App and add the loopback callback http://127.0.0.1/callback. Give the app&apos;s client id and sign in with the browser as the brand account; the access token is then refreshed on its own.</translation>
    </message>
    <message>
        <source>In your community, open Manage → API usage → Access tokens and create a key with access to community messages, management and the wall. On the Long Poll API tab, switch Long Poll on and tick incoming messages and wall comments. Paste the key here; it stays valid until you delete it there.</source>
        <translation>In your community, open Manage → API usage → Access tokens and create a key with access to community messages, management and the wall. On the Long Poll API tab, switch Long Poll on and tick incoming messages and wall comments. Paste the key here; it stays valid until you delete it there.</translation>
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
        <translation>On your server, open Preferences → Development → New application. Give it the scopes read and write:statuses, save it, and copy “Your access token”. Put your server&apos;s address (for example https://mastodon.social) in Base URL.</translation>
    </message>
    <message>
        <source>Only professional (Business or Creator) accounts can be connected. Create an app at developers.facebook.com with the Instagram product and sign in with the browser using its client id, or paste an Instagram user access token. Long-lived tokens last 60 days; SMM Desk refreshes them before they expire.</source>
        <translation>Only professional (Business or Creator) accounts can be connected. Create an app at developers.facebook.com with the Instagram product and sign in with the browser using its client id, or paste an Instagram user access token. Long-lived tokens last 60 days; SMM Desk refreshes them before they expire.</translation>
    </message>
    <message>
        <source>Page access token</source>
        <translation>Page access token</translation>
    </message>
    <message>
        <source>Password or app password</source>
        <translation>Password or app password</translation>
    </message>
    <message>
        <source>Paste the access token the network gave you.</source>
        <translation>Paste the access token the network gave you.</translation>
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
        <translation>Use the mailbox address as the name and its password. Gmail, iCloud, Yahoo and Outlook with two-step verification want an app password instead, made in the account&apos;s security settings. The IMAP and SMTP servers go in the options.</translation>
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
        <translation>High</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Low</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Urgent</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>&lt;1 min</source>
        <translation>&lt;1 min</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Age</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Assignee</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Customer</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>First response</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>Next response</source>
        <translation>Next response</translation>
    </message>
    <message>
        <source>No response owed</source>
        <translation>No response owed</translation>
    </message>
    <message>
        <source>Opened {time}</source>
        <translation>Opened {time}</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Response</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>SLA</translation>
    </message>
    <message>
        <source>breached +{duration}</source>
        <translation>breached +{duration}</translation>
    </message>
    <message>
        <source>breached just now</source>
        <translation>breached just now</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>warning {clock} left</source>
        <translation>warning {clock} left</translation>
    </message>
    <message>
        <source>{clock} left</source>
        <translation>{clock} left</translation>
    </message>
    <message>
        <source>{days} d {hours} h</source>
        <translation>{days} d {hours} h</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} h {minutes} min</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source>{target} due at {time}</source>
        <translation>{target} due at {time}</translation>
    </message>
    <message>
        <source>{target}: paused while waiting for the customer</source>
        <translation>{target}: paused while waiting for the customer</translation>
    </message>
</context>
<context>
    <name>QueueService</name>
    <message>
        <source>All open</source>
        <translation>All open</translation>
    </message>
    <message>
        <source>Breaching soon</source>
        <translation>Breaching soon</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Departments</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>Mine</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Networks</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Spam</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <source>Waiting on department</source>
        <translation>Waiting on department</translation>
    </message>
</context>
<context>
    <name>ReplyWindow</name>
    <message>
        <source>{name} lets a business answer within 24 hours of the customer&apos;s last message.</source>
        <translation>{name} lets a business answer within 24 hours of the customer&apos;s last message.</translation>
    </message>
    <message>
        <source>{name} only lets a business answer a message: wait for the customer to write.</source>
        <translation>{name} only lets a business answer a message: wait for the customer to write.</translation>
    </message>
    <message>
        <source>{name} only lets a business reply where the customer mentioned or quoted it, and this customer did not: answer by direct message, or wait until they mention us.</source>
        <translation>{name} only lets a business reply where the customer mentioned or quoted it, and this customer did not: answer by direct message, or wait until they mention us.</translation>
    </message>
    <message>
        <source>{name}&apos;s 24-hour window and the 7-day HUMAN_AGENT allowance have both passed: the reply will be refused until the customer writes again.</source>
        <translation>{name}&apos;s 24-hour window and the 7-day HUMAN_AGENT allowance have both passed: the reply will be refused until the customer writes again.</translation>
    </message>
    <message>
        <source>{name}&apos;s 24-hour window has closed. A person may still answer with the HUMAN_AGENT tag for up to 7 days after the customer&apos;s last message.</source>
        <translation>{name}&apos;s 24-hour window has closed. A person may still answer with the HUMAN_AGENT tag for up to 7 days after the customer&apos;s last message.</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message numerus="yes">
        <source>%n repl(y|ies) written.</source>
        <translation>
            <numerusform>%n reply written.</numerusform>
            <numerusform>%n replies written.</numerusform>
        </translation>
    </message>
    <message>
        <source>(UTC days)</source>
        <translation>(UTC days)</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>All departments</translation>
    </message>
    <message>
        <source>Backlog now</source>
        <translation>Backlog now</translation>
    </message>
    <message>
        <source>Backlog now: open cases by agent</source>
        <translation>Backlog now: open cases by agent</translation>
    </message>
    <message>
        <source>Backlog now: open cases by department</source>
        <translation>Backlog now: open cases by department</translation>
    </message>
    <message>
        <source>Backlog now: open cases by network</source>
        <translation>Backlog now: open cases by network</translation>
    </message>
    <message>
        <source>By agent</source>
        <translation>By agent</translation>
    </message>
    <message>
        <source>By department</source>
        <translation>By department</translation>
    </message>
    <message>
        <source>By network</source>
        <translation>By network</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export failed</translation>
    </message>
    <message>
        <source>Export reply log</source>
        <translation>Export reply log</translation>
    </message>
    <message>
        <source>Export reply log…</source>
        <translation>Export reply log…</translation>
    </message>
    <message>
        <source>First response, median</source>
        <translation>First response, median</translation>
    </message>
    <message>
        <source>First response, p90</source>
        <translation>First response, p90</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>Incoming messages</source>
        <translation>Incoming messages</translation>
    </message>
    <message>
        <source>Incoming vs handled per day (UTC)</source>
        <translation>Incoming vs handled per day (UTC)</translation>
    </message>
    <message>
        <source>Incoming vs handled per department</source>
        <translation>Incoming vs handled per department</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>New cases</source>
        <translation>New cases</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Per day</translation>
    </message>
    <message>
        <source>Per department</source>
        <translation>Per department</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Replies delivered</source>
        <translation>Replies delivered</translation>
    </message>
    <message>
        <source>Reply log exported</source>
        <translation>Reply log exported</translation>
    </message>
    <message>
        <source>Resolved cases</source>
        <translation>Resolved cases</translation>
    </message>
    <message>
        <source>SLA met</source>
        <translation>SLA met</translation>
    </message>
    <message>
        <source>nearest rank</source>
        <translation>nearest rank</translation>
    </message>
    <message>
        <source>no reply judged</source>
        <translation>no reply judged</translation>
    </message>
    <message>
        <source>open cases</source>
        <translation>open cases</translation>
    </message>
    <message numerus="yes">
        <source>over %n case(s)</source>
        <translation>
            <numerusform>over %n case</numerusform>
            <numerusform>over %n cases</numerusform>
        </translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>{count} a day</source>
        <translation>{count} a day</translation>
    </message>
    <message>
        <source>{count} more</source>
        <translation>{count} more</translation>
    </message>
    <message numerus="yes">
        <source>{met} of %n repl(y|ies)</source>
        <translation>
            <numerusform>{met} of %n reply</numerusform>
            <numerusform>{met} of %n replies</numerusform>
        </translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} min {seconds} s</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
</context>
<context>
    <name>RuleEditor</name>
    <message>
        <source>(leave as is)</source>
        <translation>(leave as is)</translation>
    </message>
    <message>
        <source>(leave unrouted)</source>
        <translation>(leave unrouted)</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>All rules: department {department}, priority {priority}, tags {tags}; matched {rules}.</source>
        <translation>All rules: department {department}, priority {priority}, tags {tags}; matched {rules}.</translation>
    </message>
    <message>
        <source>All rules: no rule matches; the case would stay unrouted.</source>
        <translation>All rules: no rule matches; the case would stay unrouted.</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Any</translation>
    </message>
    <message>
        <source>Any when none is ticked</source>
        <translation>Any when none is ticked</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>Assignee</translation>
    </message>
    <message>
        <source>Author on the VIP list</source>
        <translation>Author on the VIP list</translation>
    </message>
    <message>
        <source>Author on the block list</source>
        <translation>Author on the block list</translation>
    </message>
    <message>
        <source>Contains a link</source>
        <translation>Contains a link</translation>
    </message>
    <message>
        <source>Continue matching: later rules may add to this one</source>
        <translation>Continue matching: later rules may add to this one</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Down</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Enabled</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Inside business hours</source>
        <translation>Inside business hours</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>Keywords</translation>
    </message>
    <message>
        <source>Kinds</source>
        <translation>Kinds</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>Languages</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Mark as spam</translation>
    </message>
    <message>
        <source>Move the rule down</source>
        <translation>Move the rule down</translation>
    </message>
    <message>
        <source>Move the rule up</source>
        <translation>Move the rule up</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Negative tone</source>
        <translation>Negative tone</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>Networks</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>New rule</translation>
    </message>
    <message>
        <source>No</source>
        <translation>No</translation>
    </message>
    <message>
        <source>Paste a customer&apos;s message</source>
        <translation>Paste a customer&apos;s message</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>Regex</translation>
    </message>
    <message>
        <source>Routing rules</source>
        <translation>Routing rules</translation>
    </message>
    <message>
        <source>Rules, top to bottom: the first that matches routes the case. Tick to enable, drag or use the arrows to reorder.</source>
        <translation>Rules, top to bottom: the first that matches routes the case. Tick to enable, drag or use the arrows to reorder.</translation>
    </message>
    <message>
        <source>SLA policy</source>
        <translation>SLA policy</translation>
    </message>
    <message>
        <source>SLA policy name (the department&apos;s when empty)</source>
        <translation>SLA policy name (the department&apos;s when empty)</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>The rule&apos;s id in exported files; unique</source>
        <translation>The rule&apos;s id in exported files; unique</translation>
    </message>
    <message>
        <source>Then</source>
        <translation>Then</translation>
    </message>
    <message>
        <source>This rule does not match.</source>
        <translation>This rule does not match.</translation>
    </message>
    <message>
        <source>This rule matches.</source>
        <translation>This rule matches.</translation>
    </message>
    <message>
        <source>Try</source>
        <translation>Try</translation>
    </message>
    <message>
        <source>Try on text</source>
        <translation>Try on text</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Up</translation>
    </message>
    <message>
        <source>When every given condition holds</source>
        <translation>When every given condition holds</translation>
    </message>
    <message>
        <source>Which of the last {count} cases this rule would catch, judged on each case&apos;s first message (before saving).</source>
        <translation>Which of the last {count} cases this rule would catch, judged on each case&apos;s first message (before saving).</translation>
    </message>
    <message>
        <source>Would catch {count} of the last {examined} cases.</source>
        <translation>Would catch {count} of the last {examined} cases.</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>account ids, comma-separated (any when empty)</source>
        <translation>account ids, comma-separated (any when empty)</translation>
    </message>
    <message>
        <source>another rule already has the id {id}</source>
        <translation>another rule already has the id {id}</translation>
    </message>
    <message>
        <source>author (for VIP/block lists)</source>
        <translation>author (for VIP/block lists)</translation>
    </message>
    <message>
        <source>comma-separated</source>
        <translation>comma-separated</translation>
    </message>
    <message>
        <source>one keyword or phrase per line; refund* for a prefix</source>
        <translation>one keyword or phrase per line; refund* for a prefix</translation>
    </message>
    <message>
        <source>optional pattern (RE2), e.g. {example}</source>
        <translation>optional pattern (RE2), e.g. {example}</translation>
    </message>
    <message>
        <source>spam</source>
        <translation>spam</translation>
    </message>
    <message>
        <source>{name} (not a department)</source>
        <translation>{name} (not a department)</translation>
    </message>
    <message>
        <source>✓ valid pattern</source>
        <translation>✓ valid pattern</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>Add a department</source>
        <translation>Add a department</translation>
    </message>
    <message>
        <source>Added {name}</source>
        <translation>Added {name}</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Appearance</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>As the system</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Base URL</translation>
    </message>
    <message>
        <source>Canned replies; placeholders {customer}, {agent} and {department} are filled in the composer.</source>
        <translation>Canned replies; placeholders {customer}, {agent} and {department} are filled in the composer.</translation>
    </message>
    <message>
        <source>Click a field and press the new key. Keys do nothing while you type in a text field.</source>
        <translation>Click a field and press the new key. Keys do nothing while you type in a text field.</translation>
    </message>
    <message>
        <source>Connect an account</source>
        <translation>Connect an account</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Connected {name}; test it above</source>
        <translation>Connected {name}; test it above</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>Departments</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>First response</translation>
    </message>
    <message>
        <source>Keys 1–9 route the selected cases to the first nine departments, in this order.</source>
        <translation>Keys 1–9 route the selected cases to the first nine departments, in this order.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>Light or dark changes at once.</source>
        <translation>Light or dark changes at once.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Needs a new token</source>
        <translation>Needs a new token</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <source>Notify me when a case nears or passes its response target</source>
        <translation>Notify me when a case nears or passes its response target</translation>
    </message>
    <message>
        <source>Own first-response target</source>
        <translation>Own first-response target</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Paused: nothing is fetched or sent for it</source>
        <translation>Paused: nothing is fetched or sent for it</translation>
    </message>
    <message>
        <source>Quiet hours</source>
        <translation>Quiet hours</translation>
    </message>
    <message>
        <source>Quiet hours hold notifications back (an end earlier than the start runs past midnight); the tray keeps counting breaching cases.</source>
        <translation>Quiet hours hold notifications back (an end earlier than the start runs past midnight); the tray keeps counting breaching cases.</translation>
    </message>
    <message>
        <source>Rate limited</source>
        <translation>Rate limited</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>Remove account</translation>
    </message>
    <message>
        <source>Remove {network} account {name}? Its cases, messages and replies leave the desk, and its secrets leave the keyring.</source>
        <translation>Remove {network} account {name}? Its cases, messages and replies leave the desk, and its secrets leave the keyring.</translation>
    </message>
    <message>
        <source>Removed {name}</source>
        <translation>Removed {name}</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Remove…</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Restore defaults</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Resume</translation>
    </message>
    <message>
        <source>Resumed: it syncs again</source>
        <translation>Resumed: it syncs again</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>Shortcuts</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Templates</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Testing the connection…</translation>
    </message>
    <message>
        <source>The new appearance is used the next time SMM Desk starts.</source>
        <translation>The new appearance is used the next time SMM Desk starts.</translation>
    </message>
    <message>
        <source>The new language is used the next time SMM Desk starts.</source>
        <translation>The new language is used the next time SMM Desk starts.</translation>
    </message>
    <message>
        <source>account {id}</source>
        <translation>account {id}</translation>
    </message>
    <message>
        <source>from</source>
        <translation>from</translation>
    </message>
    <message>
        <source>no key</source>
        <translation>no key</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>workspace default</source>
        <translation>workspace default</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation>{hours} h</translation>
    </message>
    <message>
        <source>“{action}” is now {key}</source>
        <translation>“{action}” is now {key}</translation>
    </message>
</context>
<context>
    <name>SettingsService</name>
    <message>
        <source>Sign-in did not complete</source>
        <translation>Sign-in did not complete</translation>
    </message>
    <message>
        <source>Signed in to SMM Desk</source>
        <translation>Signed in to SMM Desk</translation>
    </message>
    <message>
        <source>You can close this tab and return to SMM Desk.</source>
        <translation>You can close this tab and return to SMM Desk.</translation>
    </message>
    <message>
        <source>{detail} You can close this tab and try again in SMM Desk.</source>
        <translation>{detail} You can close this tab and try again in SMM Desk.</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message numerus="yes">
        <source>%n account(s) offline</source>
        <translation>
            <numerusform>%n account offline</numerusform>
            <numerusform>%n accounts offline</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) ok</source>
        <translation>
            <numerusform>%n account ok</numerusform>
            <numerusform>%n accounts ok</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) paused</source>
        <translation>
            <numerusform>%n account paused</numerusform>
            <numerusform>%n accounts paused</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repl(y|ies) (waits|wait) in the outbox and will leave when the connection is back.</source>
        <translation>
            <numerusform>%n reply waits in the outbox and will leave when the connection is back.</numerusform>
            <numerusform>%n replies wait in the outbox and will leave when the connection is back.</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline — no network can be reached. Reading, triage and replies keep working.</source>
        <translation>Offline — no network can be reached. Reading, triage and replies keep working.</translation>
    </message>
    <message>
        <source>Outbox empty</source>
        <translation>Outbox empty</translation>
    </message>
    <message numerus="yes">
        <source>Outbox: %n repl(y|ies) waiting</source>
        <translation>
            <numerusform>Outbox: %n reply waiting</numerusform>
            <numerusform>Outbox: %n replies waiting</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconnect…</source>
        <translation>Reconnect…</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <source>error</source>
        <translation>error</translation>
    </message>
    <message>
        <source>needs sign-in</source>
        <translation>needs sign-in</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>rate-limited</source>
        <translation>rate-limited</translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>Duplicate clusters</source>
        <translation>Duplicate clusters</translation>
    </message>
    <message>
        <source>Duplicate clusters…</source>
        <translation>Duplicate clusters…</translation>
    </message>
    <message>
        <source>Open a case first.</source>
        <translation>Open a case first.</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>Reports…</source>
        <translation>Reports…</translation>
    </message>
    <message>
        <source>Routing rules…</source>
        <translation>Routing rules…</translation>
    </message>
    <message>
        <source>Send to department</source>
        <translation>Send to department</translation>
    </message>
    <message>
        <source>Send to department…</source>
        <translation>Send to department…</translation>
    </message>
    <message>
        <source>VIP and block lists…</source>
        <translation>VIP and block lists…</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform> and %n more</numerusform>
            <numerusform> and %n more</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) need a reply</source>
        <translation>
            <numerusform>%n case need a reply</numerusform>
            <numerusform>%n cases need a reply</numerusform>
        </translation>
    </message>
    <message>
        <source>Case {id}</source>
        <translation>Case {id}</translation>
    </message>
    <message>
        <source>Case {id} ({network}) is past its resolution target.</source>
        <translation>Case {id} ({network}) is past its resolution target.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) is past its response target.</source>
        <translation>Case {id} ({network}) is past its response target.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) reached its SLA warning.</source>
        <translation>Case {id} ({network}) reached its SLA warning.</translation>
    </message>
    <message>
        <source>Case {id} ({network}) reached its resolution warning.</source>
        <translation>Case {id} ({network}) reached its resolution warning.</translation>
    </message>
    <message>
        <source>In warning: {names}</source>
        <translation>In warning: {names}</translation>
    </message>
    <message>
        <source>Reply soon — {who}</source>
        <translation>Reply soon — {who}</translation>
    </message>
    <message>
        <source>Resolution due soon — {who}</source>
        <translation>Resolution due soon — {who}</translation>
    </message>
    <message>
        <source>Resolution overdue — {who}</source>
        <translation>Resolution overdue — {who}</translation>
    </message>
    <message>
        <source>Response overdue — {who}</source>
        <translation>Response overdue — {who}</translation>
    </message>
    <message numerus="yes">
        <source>SMM Desk — %n case(s) breaching soon</source>
        <translation>
            <numerusform>SMM Desk — %n case breaching soon</numerusform>
            <numerusform>SMM Desk — %n cases breaching soon</numerusform>
        </translation>
    </message>
    <message>
        <source>SMM Desk — no case breaching soon</source>
        <translation>SMM Desk — no case breaching soon</translation>
    </message>
    <message>
        <source>Under a minute left.</source>
        <translation>Under a minute left.</translation>
    </message>
    <message>
        <source>{minutes} min left to answer.</source>
        <translation>{minutes} min left to answer.</translation>
    </message>
    <message>
        <source>{overdue} overdue, {warning} in warning: {names}</source>
        <translation>{overdue} overdue, {warning} in warning: {names}</translation>
    </message>
</context>
<context>
    <name>Triage</name>
    <message>
        <source>Assign to me</source>
        <translation>Assign to me</translation>
    </message>
    <message numerus="yes">
        <source>Assigned %n case(s) to {agent}</source>
        <translation>
            <numerusform>Assigned %n case to {agent}</numerusform>
            <numerusform>Assigned %n cases to {agent}</numerusform>
        </translation>
    </message>
    <message>
        <source>Back to the queue</source>
        <translation>Back to the queue</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Mark as spam</translation>
    </message>
    <message numerus="yes">
        <source>Marked %n case(s) as spam</source>
        <translation>
            <numerusform>Marked %n case as spam</numerusform>
            <numerusform>Marked %n cases as spam</numerusform>
        </translation>
    </message>
    <message>
        <source>Next case</source>
        <translation>Next case</translation>
    </message>
    <message>
        <source>No case selected</source>
        <translation>No case selected</translation>
    </message>
    <message numerus="yes">
        <source>No department {number}: there (is|are) %n</source>
        <translation>
            <numerusform>No department {number}: there is %n</numerusform>
            <numerusform>No department {number}: there are %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Previous case</source>
        <translation>Previous case</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>Resolve and open the next</source>
        <translation>Resolve and open the next</translation>
    </message>
    <message numerus="yes">
        <source>Resolved %n case(s)</source>
        <translation>
            <numerusform>Resolved %n case</numerusform>
            <numerusform>Resolved %n cases</numerusform>
        </translation>
    </message>
    <message>
        <source>Route to department {n}</source>
        <translation>Route to department {n}</translation>
    </message>
    <message>
        <source>Route to {department}</source>
        <translation>Route to {department}</translation>
    </message>
    <message numerus="yes">
        <source>Routed %n case(s) to {department}</source>
        <translation>
            <numerusform>Routed %n case to {department}</numerusform>
            <numerusform>Routed %n cases to {department}</numerusform>
        </translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Show keyboard shortcuts</source>
        <translation>Show keyboard shortcuts</translation>
    </message>
    <message>
        <source>{key} is already bound to “{action}”. Choose another key, or rebind that action first.</source>
        <translation>{key} is already bound to “{action}”. Choose another key, or rebind that action first.</translation>
    </message>
</context>
</TS>
