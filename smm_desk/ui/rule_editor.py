"""The rule editor: order, enable, add, edit and delete routing rules; try one on
any text; preview which recent cases it would catch -- all before saving.

The dialog edits a copy of the rule list. Every change to the form is checked
at once by building the domain :class:`~smm_desk.domain.rules.Rule` (so a bad
regex or keyword is reported as it is typed, in the engine's own words) and,
when valid, replaces the rule in the copy; "Save" writes the whole list through
:meth:`RulesService.save_rules` in the order shown, "Cancel" drops it. Rule
names, keywords and customer texts are shown as plain text only.

Open it with ``RuleEditorDialog(rules_service, parent).exec()``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.language import SUPPORTED_LANGUAGES
from smm_desk.domain.records import NETWORKS, MessageKind, Priority
from smm_desk.domain.rules import Actions, Conditions, Rule, RuleError
from smm_desk.services.rules import PREVIEW_CASES, RulesService
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, translate

ID_ROLE = Qt.ItemDataRole.UserRole
KINDS = (MessageKind.DM, MessageKind.COMMENT, MessageKind.MENTION, MessageKind.REPLY,
         MessageKind.REVIEW)
#: The product's own languages first, then the rest alphabetically.
LANGUAGES = ("en", "ru", "vi", *sorted(SUPPORTED_LANGUAGES - {"en", "ru", "vi"}))
FLAGS = (
    ("negative_tone", QT_TRANSLATE_NOOP("RuleEditor", "Negative tone")),
    ("author_vip", QT_TRANSLATE_NOOP("RuleEditor", "Author on the VIP list")),
    ("author_blocked", QT_TRANSLATE_NOOP("RuleEditor", "Author on the block list")),
    ("has_link", QT_TRANSLATE_NOOP("RuleEditor", "Contains a link")),
    ("inside_business_hours", QT_TRANSLATE_NOOP("RuleEditor", "Inside business hours")),
)
#: A flag combo's choices (item data; the text shown is translated).
_ANY, _YES, _NO = (QT_TRANSLATE_NOOP("RuleEditor", "Any"), QT_TRANSLATE_NOOP("RuleEditor", "Yes"),
                   QT_TRANSLATE_NOOP("RuleEditor", "No"))
#: How many caught cases the preview lists (the count covers them all).
PREVIEW_SHOWN = 200


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class RuleEditorDialog(QDialog):
    def __init__(self, rules_service: RulesService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("RuleEditor", "Routing rules"))
        self.resize(1280, 800)
        self._service = rules_service
        self._rules: dict[str, Rule] = {}
        self._current: str | None = None
        self._loading = False
        self._new_count = 0

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_editor())
        splitter.addWidget(self._build_checking())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 660, 380])

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)

        for rule in rules_service.rules():
            self._append(rule)
        if self.rule_list.count():
            self.rule_list.setCurrentRow(0)
        else:
            self._show(None)

    # -- building ---------------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_plain(translate(
            "RuleEditor", "Rules, top to bottom: the first that matches routes the case. "
            "Tick to enable, drag or use the arrows to reorder.")))
        self.rule_list = QListWidget(box)
        self.rule_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.rule_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.rule_list.currentItemChanged.connect(self._selected)
        self.rule_list.itemChanged.connect(self._item_changed)
        layout.addWidget(self.rule_list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(translate("RuleEditor", "Add"), box)
        self.delete_button = QPushButton(translate("RuleEditor", "Delete"), box)
        self.up_button = QPushButton(translate("RuleEditor", "Up"), box)
        self.down_button = QPushButton(translate("RuleEditor", "Down"), box)
        self.up_button.setToolTip(translate("RuleEditor", "Move the rule up"))
        self.down_button.setToolTip(translate("RuleEditor", "Move the rule down"))
        for button in (self.add_button, self.delete_button, self.up_button, self.down_button):
            row.addWidget(button)
        self.add_button.clicked.connect(self.add_rule)
        self.delete_button.clicked.connect(self.delete_rule)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        layout.addLayout(row)
        return box

    def _build_editor(self) -> QWidget:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(scroll)
        layout = QVBoxLayout(body)
        self.form_box = body

        head = QFormLayout()
        self.name_edit = QLineEdit(body)
        self.id_edit = QLineEdit(body)
        self.id_edit.setToolTip(translate("RuleEditor", "The rule's id in exported files; unique"))
        self.enabled_check = QCheckBox(translate("RuleEditor", "Enabled"), body)
        self.continue_check = QCheckBox(
            translate("RuleEditor", "Continue matching: later rules may add to this one"), body)
        head.addRow(translate("RuleEditor", "Name"), self.name_edit)
        head.addRow(translate("RuleEditor", "Id"), self.id_edit)
        head.addRow("", self.enabled_check)
        head.addRow("", self.continue_check)
        layout.addLayout(head)

        when = QGroupBox(translate("RuleEditor", "When every given condition holds"), body)
        grid = QFormLayout(when)
        self.keywords_edit = QPlainTextEdit(when)
        self.keywords_edit.setPlaceholderText(
            translate("RuleEditor", "one keyword or phrase per line; refund* for a prefix"))
        self.keywords_edit.setFixedHeight(90)
        grid.addRow(translate("RuleEditor", "Keywords"), self.keywords_edit)
        self.regex_edit = QLineEdit(when)
        self.regex_edit.setPlaceholderText(
            translate("RuleEditor", "optional pattern (RE2), e.g. {example}").format(
                example="order\\s*#?\\d{5,}"))
        self.regex_status = _plain("")
        self.regex_status.setObjectName("regexStatus")
        self.regex_status.hide()
        regex_box = QVBoxLayout()
        regex_box.addWidget(self.regex_edit)
        regex_box.addWidget(self.regex_status)
        grid.addRow(translate("RuleEditor", "Regex"), regex_box)
        self.network_checks = self._checks(when, grid, translate("RuleEditor", "Networks"),
                                           NETWORKS, 4)
        self.kind_checks = self._checks(when, grid, translate("RuleEditor", "Kinds"),
                                        [k.value for k in KINDS], 3)
        self.language_checks = self._checks(when, grid, translate("RuleEditor", "Languages"),
                                            LANGUAGES, 6)
        self.account_edit = QLineEdit(when)
        self.account_edit.setPlaceholderText(
            translate("RuleEditor", "account ids, comma-separated (any when empty)"))
        grid.addRow(translate("RuleEditor", "Accounts"), self.account_edit)
        self.flag_combos: dict[str, QComboBox] = {}
        for name, label in FLAGS:
            combo = QComboBox(when)
            for choice in (_ANY, _YES, _NO):
                combo.addItem(translate("RuleEditor", choice), choice)
            self.flag_combos[name] = combo
            grid.addRow(translate("RuleEditor", label), combo)
        layout.addWidget(when)

        then = QGroupBox(translate("RuleEditor", "Then"), body)
        actions = QFormLayout(then)
        self.department_combo = QComboBox(then)
        self.department_combo.addItem(translate("RuleEditor", "(leave unrouted)"), None)
        for name in self._service.departments():
            self.department_combo.addItem(name, name)
        self.priority_combo = QComboBox(then)
        self.priority_combo.addItem(translate("RuleEditor", "(leave as is)"), None)
        for priority in Priority:
            self.priority_combo.addItem(priority.value, priority.value)
        self.tags_edit = QLineEdit(then)
        self.tags_edit.setPlaceholderText(translate("RuleEditor", "comma-separated"))
        self.assignee_edit = QLineEdit(then)
        self.sla_edit = QLineEdit(then)
        self.sla_edit.setPlaceholderText(
            translate("RuleEditor", "SLA policy name (the department's when empty)"))
        self.spam_check = QCheckBox(translate("RuleEditor", "Mark as spam"), then)
        actions.addRow(translate("RuleEditor", "Department"), self.department_combo)
        actions.addRow(translate("RuleEditor", "Priority"), self.priority_combo)
        actions.addRow(translate("RuleEditor", "Tags"), self.tags_edit)
        actions.addRow(translate("RuleEditor", "Assignee"), self.assignee_edit)
        actions.addRow(translate("RuleEditor", "SLA policy"), self.sla_edit)
        actions.addRow("", self.spam_check)
        layout.addWidget(then)

        self.error_label = _plain("")
        self.error_label.setObjectName("message")
        self.error_label.setStyleSheet("color: #b00020")
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        scroll.setWidget(body)

        for edit in (self.name_edit, self.id_edit, self.regex_edit, self.account_edit,
                     self.tags_edit, self.assignee_edit, self.sla_edit):
            edit.textChanged.connect(self._form_changed)
        self.keywords_edit.textChanged.connect(self._form_changed)
        for check in (self.enabled_check, self.continue_check, self.spam_check,
                      *self.network_checks.values(), *self.kind_checks.values(),
                      *self.language_checks.values()):
            check.toggled.connect(self._form_changed)
        for combo in (self.department_combo, self.priority_combo, *self.flag_combos.values()):
            combo.currentIndexChanged.connect(self._form_changed)
        return scroll

    def _checks(self, parent: QWidget, form: QFormLayout, label: str, names: tuple[str, ...]
                | list[str], columns: int) -> dict[str, QCheckBox]:
        box = QWidget(parent)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        checks: dict[str, QCheckBox] = {}
        for index, name in enumerate(names):
            check = QCheckBox(name, box)
            checks[name] = check
            grid.addWidget(check, index // columns, index % columns)
        box.setToolTip(translate("RuleEditor", "Any when none is ticked"))
        form.addRow(label, box)
        return checks

    def _build_checking(self) -> QWidget:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_try(panel))
        layout.addWidget(self._build_preview(panel), 1)
        return panel

    def _build_try(self, parent: QWidget) -> QWidget:
        box = QGroupBox(translate("RuleEditor", "Try on text"), parent)
        layout = QVBoxLayout(box)
        self.try_text = QPlainTextEdit(box)
        self.try_text.setPlaceholderText(translate("RuleEditor", "Paste a customer's message"))
        self.try_text.setFixedHeight(90)
        layout.addWidget(self.try_text)
        row = QHBoxLayout()
        row2 = QHBoxLayout()
        self.try_network = QComboBox(box)
        self.try_network.addItems(list(NETWORKS))
        self.try_kind = QComboBox(box)
        self.try_kind.addItems([k.value for k in KINDS])
        self.try_author = QLineEdit(box)
        self.try_author.setPlaceholderText(translate("RuleEditor", "author (for VIP/block lists)"))
        self.try_button = QPushButton(translate("RuleEditor", "Try"), box)
        self.try_button.clicked.connect(self.try_rule)
        for widget in (self.try_network, self.try_kind, self.try_author):
            row.addWidget(widget)
        row2.addStretch(1)
        row2.addWidget(self.try_button)
        layout.addLayout(row)
        layout.addLayout(row2)
        self.try_result = _plain("")
        self.try_result.setObjectName("tryResult")
        self.try_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.try_result)
        return box

    def _build_preview(self, parent: QWidget) -> QWidget:
        box = QGroupBox(translate("RuleEditor", "Preview"), parent)
        layout = QVBoxLayout(box)
        layout.addWidget(_plain(translate(
            "RuleEditor", "Which of the last {count} cases this rule would catch, judged on each "
            "case's first message (before saving).").format(count=f"{PREVIEW_CASES:,}")))
        self.preview_button = QPushButton(translate("RuleEditor", "Preview"), box)
        self.preview_button.clicked.connect(self.preview)
        self.preview_summary = _plain("")
        self.preview_summary.setObjectName("previewSummary")
        row = QHBoxLayout()
        row.addWidget(self.preview_button)
        row.addWidget(self.preview_summary, 1)
        layout.addLayout(row)
        self.preview_list = QListWidget(box)
        layout.addWidget(self.preview_list, 1)
        return box

    # -- the list ---------------------------------------------------------------------------
    def _label(self, rule: Rule) -> str:
        target = rule.actions.department or (translate("RuleEditor", "spam")
                                             if rule.actions.spam else "-")
        return f"{rule.name}  →  {target}"

    def _append(self, rule: Rule, row: int | None = None) -> QListWidgetItem:
        self._rules[rule.id] = rule
        item = QListWidgetItem(self._label(rule))
        item.setData(ID_ROLE, rule.id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                      | Qt.ItemFlag.ItemIsDragEnabled)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
        item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
        if row is None:
            self.rule_list.addItem(item)
        else:
            self.rule_list.insertItem(row, item)
        return item

    def ordered_rules(self) -> list[Rule]:
        """The working rules in the order the list shows."""
        return [self._rules[self.rule_list.item(i).data(ID_ROLE)]
                for i in range(self.rule_list.count())]

    def _item_for(self, rule_id: str) -> QListWidgetItem | None:
        for i in range(self.rule_list.count()):
            item = self.rule_list.item(i)
            if item.data(ID_ROLE) == rule_id:
                return item
        return None

    def _selected(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        self._show(self._rules.get(current.data(ID_ROLE)) if current is not None else None)

    def _item_changed(self, item: QListWidgetItem) -> None:
        rule = self._rules.get(item.data(ID_ROLE))
        if rule is None or self._loading:
            return
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled != rule.enabled:
            self._rules[rule.id] = replace(rule, enabled=enabled)
            if rule.id == self._current:
                self._loading = True
                self.enabled_check.setChecked(enabled)
                self._loading = False

    def add_rule(self) -> None:
        self._new_count += 1
        existing = set(self._rules)
        rule_id = next(f"rule-{n}" for n in range(self._new_count, 10_000)
                       if f"rule-{n}" not in existing)
        rule = Rule(rule_id, translate("RuleEditor", "New rule"))
        row = self.rule_list.currentRow() + 1 if self.rule_list.currentRow() >= 0 else None
        item = self._append(rule, row)
        self.rule_list.setCurrentItem(item)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def delete_rule(self) -> None:
        row = self.rule_list.currentRow()
        if row < 0:
            return
        item = self.rule_list.takeItem(row)
        if item is not None:
            self._rules.pop(item.data(ID_ROLE), None)
        if self.rule_list.count() == 0:
            self._show(None)

    def move_current(self, step: int) -> None:
        row = self.rule_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.rule_list.count():
            return
        self._loading = True
        item = self.rule_list.takeItem(row)
        self.rule_list.insertItem(target, item)
        self._loading = False
        self.rule_list.setCurrentRow(target)

    # -- the form ---------------------------------------------------------------------------
    def _show(self, rule: Rule | None) -> None:
        self._loading = True
        try:
            self._current = rule.id if rule else None
            self.form_box.setEnabled(rule is not None)
            rule = rule or Rule("-", "-")
            c, a = rule.conditions, rule.actions
            self.name_edit.setText(rule.name)
            self.id_edit.setText(rule.id)
            self.enabled_check.setChecked(rule.enabled)
            self.continue_check.setChecked(rule.continue_matching)
            self.keywords_edit.setPlainText("\n".join(c.keywords))
            self.regex_edit.setText(c.regex or "")
            for name, check in self.network_checks.items():
                check.setChecked(name in c.networks)
            for name, check in self.kind_checks.items():
                check.setChecked(MessageKind(name) in c.kinds)
            for name, check in self.language_checks.items():
                check.setChecked(name in c.languages)
            self.account_edit.setText(", ".join(sorted(c.account_ids)))
            for name, combo in self.flag_combos.items():
                value = getattr(c, name)
                combo.setCurrentIndex(combo.findData(_ANY if value is None
                                                     else _YES if value else _NO))
            department = a.department
            if department is not None and self.department_combo.findData(department) < 0:
                self.department_combo.addItem(
                    translate("RuleEditor", "{name} (not a department)").format(name=department),
                    department)
            self.department_combo.setCurrentIndex(max(0, self.department_combo.findData(department)))
            self.priority_combo.setCurrentIndex(max(0, self.priority_combo.findData(
                a.priority.value if a.priority else None)))
            self.tags_edit.setText(", ".join(a.tags))
            self.assignee_edit.setText(a.assignee or "")
            self.sla_edit.setText(a.sla_policy or "")
            self.spam_check.setChecked(a.spam)
            self.error_label.clear()
            self._regex_status("")
            self.try_result.clear()
            self.preview_summary.clear()
            self.preview_list.clear()
        finally:
            self._loading = False

    def form_rule(self) -> Rule:
        """The rule the form describes; ``RuleError`` names what is wrong."""
        flags = {name: None if combo.currentData() == _ANY else combo.currentData() == _YES
                 for name, combo in self.flag_combos.items()}
        conditions = Conditions(
            networks=frozenset(n for n, c in self.network_checks.items() if c.isChecked()),
            account_ids=frozenset(_items(self.account_edit.text())),
            kinds=frozenset(MessageKind(k) for k, c in self.kind_checks.items() if c.isChecked()),
            keywords=tuple(_lines(self.keywords_edit.toPlainText())),
            regex=self.regex_edit.text().strip() or None,
            languages=frozenset(n for n, c in self.language_checks.items() if c.isChecked()),
            **flags,
        )
        priority = self.priority_combo.currentData()
        actions = Actions(
            department=self.department_combo.currentData(),
            priority=Priority(priority) if priority else None,
            tags=tuple(_items(self.tags_edit.text())),
            assignee=self.assignee_edit.text().strip() or None,
            spam=self.spam_check.isChecked(),
            sla_policy=self.sla_edit.text().strip() or None,
        )
        rule = Rule(id=self.id_edit.text(), name=self.name_edit.text(),
                    enabled=self.enabled_check.isChecked(), conditions=conditions,
                    actions=actions, continue_matching=self.continue_check.isChecked())
        if rule.id != self._current and rule.id in self._rules:
            raise RuleError("id", translate("RuleEditor", "another rule already has the id {id}")
                            .format(id=repr(rule.id)))
        return rule

    def _regex_status(self, text: str) -> None:
        self.regex_status.setText(text)
        self.regex_status.setVisible(bool(text))

    def _form_changed(self, *_: object) -> None:
        if self._loading or self._current is None:
            return
        try:
            rule = self.form_rule()
        except RuleError as exc:
            self.error_label.setText(f"{exc.field}: {exc.problem}")
            self._regex_status(f"✗ {exc.problem}" if exc.field == "regex" else "")
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            return
        self.error_label.clear()
        self._regex_status(translate("RuleEditor", "✓ valid pattern")
                           if rule.conditions.regex else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        item = self._item_for(self._current)
        if rule.id != self._current:
            self._rules.pop(self._current, None)
            self._current = rule.id
        self._rules[rule.id] = rule
        if item is not None:
            self._loading = True
            item.setData(ID_ROLE, rule.id)
            item.setText(self._label(rule))
            item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            self._loading = False

    # -- try, preview, save -----------------------------------------------------------------
    def _valid_rule(self) -> Rule | None:
        try:
            return self.form_rule()
        except RuleError as exc:
            self.error_label.setText(f"{exc.field}: {exc.problem}")
            return None

    def try_rule(self) -> None:
        rule = self._valid_rule()
        if rule is None:
            return
        result = self._service.try_text(
            rule, self.try_text.toPlainText(), network=self.try_network.currentText(),
            kind=self.try_kind.currentText(), author=self.try_author.text().strip(),
            rules=self.ordered_rules(),
        )
        d = result.decision
        verdict = (translate("RuleEditor", "This rule matches.") if result.matches
                   else translate("RuleEditor", "This rule does not match."))
        decision = (translate("RuleEditor",
                              "All rules: no rule matches; the case would stay unrouted.")
                    if not d.matched else
                    translate("RuleEditor", "All rules: department {department}, priority "
                              "{priority}, tags {tags}; matched {rules}.").format(
                        department=d.department or "-",
                        priority=d.priority.value if d.priority else "-",
                        tags=", ".join(d.tags) or "-",
                        rules=", ".join(m.name for m in d.matched)))
        self.try_result.setText("\n".join([verdict, *result.lines, "", decision]))

    def preview(self) -> None:
        rule = self._valid_rule()
        if rule is None:
            return
        result = self._service.preview(rule)
        self.preview_summary.setText(
            translate("RuleEditor", "Would catch {count} of the last {examined} cases.").format(
                count=f"{len(result.matches):,}", examined=f"{result.examined:,}"))
        self.preview_list.clear()
        for match in result.matches[:PREVIEW_SHOWN]:
            text = " ".join(match.text.split())
            self.preview_list.addItem(
                f"#{match.case_id} · {match.network} · {match.customer}: {text[:160]}")

    def save(self) -> None:
        if self._current is not None and self._valid_rule() is None:
            return
        self._service.save_rules(self.ordered_rules())
        self.accept()
