"""OFAC SDN and Consolidated (non-SDN) lists: download, CSV reader, mapper, remarks parser."""

from screening.lists.ofac.mapper import CONSOLIDATED, SDN, OfacFiles, load_ofac, split_programs
from screening.lists.ofac.remarks import ParsedRemarks, parse_identifier, parse_remarks

__all__ = [
    "CONSOLIDATED",
    "SDN",
    "OfacFiles",
    "ParsedRemarks",
    "load_ofac",
    "parse_identifier",
    "parse_remarks",
    "split_programs",
]
