"""Aggregate reports with privacy guarantees: distinct-user counts with contribution bounding,
minimum group sizes, optional OpenDP noise with a budget ledger; JSON plus a self-contained HTML."""

from sealroom.report.build import ReportResult, build_report
from sealroom.report.ledger import PrivacyBudgetError, PrivacyLedger
from sealroom.report.privacy import PrivacyConfig

__all__ = ["PrivacyBudgetError", "PrivacyConfig", "PrivacyLedger", "ReportResult", "build_report"]
