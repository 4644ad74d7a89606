"""The content model: one frozen dataclass per record kind.

Each field declares its kind (`builder.fields`, `scalars`, `numbers`) and its
documentation in Chinese and English. This package is the schema:
validation, the JSON Schema (`bulletin schema`) and the README's data
reference are all read from it.

Money is in the site's unit (亿元) unless a figure says `unit: 万元`.
"""

from ..numbers import Figure
from .bulletin import BulletinMeta
from .campaign import Batch, Campaign, CampaignTotals, Window
from .common import Source
from .project import (
                      Baseline,
                      CampaignRef,
                      Capacity,
                      Lead,
                      Progress,
                      Project,
                      ProjectIssue,
                      Whitelist,
)
from .region import Event, Flag, Indicator, ProblemLedger, Ranking, Region, Report, Target
from .site import FlagRule, Sector, Site

__all__ = [
    "Source", "FlagRule", "Sector", "Site", "Report", "Ranking", "Flag", "ProblemLedger",
    "Event", "Indicator", "Target", "Region", "Progress", "CampaignRef", "Lead", "Capacity", "Baseline",
    "ProjectIssue", "Whitelist", "Project", "Batch", "CampaignTotals", "Window", "Campaign",
    "BulletinMeta", "Figure", "RECORDS",
]

#: Record kinds by folder, for loading and for the schema.
RECORDS = {"site": Site, "regions": Region, "projects": Project, "campaigns": Campaign,
           "bulletins": BulletinMeta}
