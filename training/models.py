"""Every model in one import, for Alembic, `flask shell` and the tests."""

from training.accounts.models import AccountToken, TokenPurpose
from training.attendance.models import (
    AttendanceChange,
    AttendanceDayLock,
    AttendanceRecord,
    AttendanceScan,
    AttendanceSource,
    AttendanceStatus,
    ScanType,
)
from training.audit.models import AuditEvent
from training.auth.models import ApiToken, Role, User
from training.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateSerialCounter,
    CertificateStatus,
    SigningKey,
)
from training.curricula.models import Curriculum, CurriculumOwner, CurriculumStatus, Module, Theme
from training.enrollment.models import Enrollment, EnrollmentStatus, StagedUpload
from training.jobs.models import Job, JobStatus
from training.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from training.people.models import (
    Organisation,
    OrganisationKind,
    Participant,
    ScreeningFramework,
    ScreeningRecord,
    ScreeningStatus,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.reports.models import ReportTraining
from training.sessions.models import (
    Assignment,
    AssignmentRole,
    Period,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    TrainingSession,
    session_partner,
)

__all__ = [
    "AccountToken",
    "ApiToken",
    "Assignment",
    "AssignmentRole",
    "AttendanceChange",
    "AttendanceDayLock",
    "AttendanceRecord",
    "AttendanceScan",
    "AttendanceSource",
    "AttendanceStatus",
    "AuditEvent",
    "Certificate",
    "CertificateKind",
    "CertificateSerialCounter",
    "CertificateStatus",
    "Curriculum",
    "CurriculumOwner",
    "CurriculumStatus",
    "Enrollment",
    "EnrollmentStatus",
    "Job",
    "JobStatus",
    "MailStatus",
    "Module",
    "Organisation",
    "OrganisationKind",
    "OutboxAttachment",
    "OutboxMessage",
    "Participant",
    "Period",
    "ReportTraining",
    "Role",
    "ScanType",
    "ScreeningFramework",
    "ScreeningRecord",
    "ScreeningStatus",
    "SessionKind",
    "SessionLanguage",
    "SessionStatus",
    "Sex",
    "SigningKey",
    "StagedUpload",
    "Theme",
    "TokenPurpose",
    "Trainer",
    "TrainerQualification",
    "TrainingSession",
    "User",
    "session_partner",
]
