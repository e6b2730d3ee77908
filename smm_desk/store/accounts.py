"""Connected accounts and departments: the workspace's directory.

An account row never holds its token: the token is in the OS keyring under
the account id (``smm_desk.secrets``). Removing an account removes its cases,
messages and outbox with it (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smm_desk.domain.records import NETWORKS, AccountStatus
from smm_desk.domain.views import AccountView, DepartmentView
from smm_desk.store.errors import Conflict, NotFound
from smm_desk.store.models import Account, Department, SlaPolicyRow


def account_view(a: Account) -> AccountView:
    return AccountView(
        id=a.id, network=a.network, name=a.name, base_url=a.base_url,
        options={str(k): str(v) for k, v in (a.options or {}).items()},
        status=a.status, status_detail=a.status_detail, retry_at=a.retry_at,
        last_sync_at=a.last_sync_at, created_at=a.created_at,
    )


def add_account(
    session: Session, network: str, name: str, base_url: str | None,
    options: dict[str, str], now: datetime,
) -> Account:
    if network not in NETWORKS:
        raise ValueError(f"unknown network {network!r} (known: {', '.join(NETWORKS)})")
    if not name.strip():
        raise ValueError("an account needs a name")
    clash = session.scalars(
        select(Account.id).where(Account.network == network, Account.name == name)
    ).first()
    if clash is not None:
        raise Conflict(f"a {network} account named {name!r} already exists (id {clash})")
    account = Account(
        network=network, name=name, base_url=base_url, options=dict(options),
        status=AccountStatus.OK.value, status_detail="", created_at=now,
    )
    session.add(account)
    session.flush()
    return account


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


def list_accounts(session: Session) -> list[AccountView]:
    return [account_view(a) for a in session.scalars(select(Account).order_by(Account.id))]


def remove_account(session: Session, account_id: int) -> None:
    session.delete(get_account(session, account_id))


def set_account_status(
    session: Session, account_id: int, status: AccountStatus, detail: str = "",
    retry_at: datetime | None = None,
) -> None:
    account = get_account(session, account_id)
    account.status = status.value
    account.status_detail = detail
    account.retry_at = retry_at


def list_departments(session: Session) -> list[DepartmentView]:
    rows = session.execute(
        select(Department, SlaPolicyRow)
        .outerjoin(SlaPolicyRow, SlaPolicyRow.id == Department.sla_policy_id)
        .order_by(Department.position, Department.id)
    )
    return [
        DepartmentView(
            id=d.id, name=d.name, position=d.position,
            sla_policy=p.name if p else None,
            first_response_s=p.first_response_s if p else None,
        )
        for d, p in rows
    ]


def add_department(
    session: Session, name: str, first_response: timedelta | None = None
) -> Department:
    name = name.strip()
    if not name:
        raise ValueError("a department needs a name")
    if session.scalars(select(Department.id).where(Department.name == name)).first():
        raise Conflict(f"department {name!r} already exists")
    position = int(session.scalar(select(func.max(Department.position))) or 0) + 1
    department = Department(name=name, position=position)
    if first_response is not None:
        if first_response <= timedelta(0):
            raise ValueError("the first-response target must be positive")
        default = session.scalars(
            select(SlaPolicyRow).where(SlaPolicyRow.name == "Default")
        ).first()
        policy = SlaPolicyRow(
            name=f"{name} policy",
            first_response_s=int(first_response.total_seconds()),
            next_response_s=default.next_response_s if default else 600,
            resolution_s=default.resolution_s if default else 86400,
            warning_share=default.warning_share if default else 0.8,
            calendar=default.calendar if default else None,
        )
        session.add(policy)
        session.flush()
        department.sla_policy_id = policy.id
    session.add(department)
    session.flush()
    return department
