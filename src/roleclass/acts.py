"""O*NET's Detailed Work Activities as an act vocabulary: what a person does, by function.

O*NET files each occupation's task statements under Detailed Work Activities (DWAs):
short verb-object acts such as "Stock products or parts" or "Negotiate prices or
other sales terms". Labeling O*NET tasks by occupation alone calls everything a retail
salesperson does "sales", stocking shelves and cleaning the floor included, which
teaches the duty classifier exactly the confusion LABELING.md warns about (in-store
merchandising is not selling). So the DWAs that sales and marketing occupations
perform are given the function LABELING.md gives the act itself (the lists below,
written from LABELING.md's table and hard cases, not from the corpus), and:

- a task of a sales or marketing occupation whose every DWA is a ``neither`` act is
  relabeled ``neither`` (``relabel_tasks``);
- the DWA titles become extra training statements (``dwa_statements``): every act
  listed below with its function, and every DWA performed only by other occupations
  as ``neither``.

Acts that LABELING.md leaves to context (product demos to shoppers vs. to one buyer,
supervising sales staff, taking orders) are in no list and are not added.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from roleclass.data import onet_function

DWA_DIR = ("onet", "onet_29_3")
TASKS_TO_DWAS = "Tasks to DWAs.txt"

SALES_ACTS = frozenset({
    "Contact current or potential customers to promote products or services.",
    "Identify potential customers.",
    "Gather customer or product information to determine customer needs.",
    "Recommend products or services to customers.",
    "Prepare sales or other contracts.",
    "Negotiate prices or other sales terms.",
    "Develop proposals for current or prospective customers.",
    "Estimate costs or terms of sales.",
    "Deliver promotional presentations to current or prospective customers.",
    "Explain technical product or service information to customers.",
    "Sell products or services.",
    "Schedule appointments with prospective customers.",
    "Customize financial products or services to meet customer needs.",
    "Customize energy products or services to meet customer needs.",
    "Contract real estate to clients.",
    "Negotiate sales or lease agreements for products or services.",
    "Assist customers with product selection.",
})
MARKETING_ACTS = frozenset({
    "Develop marketing plans or strategies.",
    "Develop marketing plans or strategies for environmental initiatives.",
    "Conduct market research.",
    "Analyze market research data.",
    "Analyze market conditions or trends.",
    "Monitor market conditions or trends.",
    "Analyze consumer trends.",
    "Develop promotional materials.",
    "Develop promotional strategies or plans.",
    "Write advertising or promotional material.",
    "Implement advertising or marketing initiatives.",
    "Promote products, services, or programs.",
    "Promote products, activities, or organizations.",
    "Distribute promotional literature or samples to customers.",
    "Collaborate with others to develop or implement marketing strategies.",
    "Collaborate with others in marketing activities.",
    "Examine marketing materials to ensure compliance with policies or regulations.",
})
# Acts of sales and marketing occupations that LABELING.md counts as neither: store work,
# service without a selling target, administration, transactions, logistics.
NEITHER_ACTS = frozenset({
    "Stock products or parts.",
    "Set up merchandise displays.",
    "Arrange artwork, products, or props.",
    "Clean work areas.",
    "Clean facilities or equipment.",
    "Monitor inventories of products or materials.",
    "Purchase stocks of merchandise or supplies.",
    "Maintain records of sales or other business transactions.",
    "Maintain records of customer accounts.",
    "Process sales or other transactions.",
    "Record sales or transactions data.",
    "Review accuracy of sales or other transactions.",
    "Reconcile records of sales or other financial transactions.",
    "Verify customer credit information.",
    "Issue money, credit, or vouchers.",
    "Prepare cash for deposit or disbursement.",
    "Answer customer questions about goods or services.",
    "Advise customers on the use of products or services.",
    "Advise customers on technical or procedural issues.",
    "Resolve customer complaints or problems.",
    "Provide customers with general information or assistance.",
    "Provide customer service to clients or users.",
    "Greet customers, patrons, or visitors.",
    "Answer telephones to direct calls or provide information.",
    "Arrange delivery of goods or services.",
    "Prepare outgoing shipments.",
    "Package materials or products.",
    "Package objects for shipping.",
    "Calculate costs of goods or services.",
    "Calculate shipping costs.",
    "Examine condition of property or products.",
    "Monitor work areas to provide security.",
    "Study product information to acquire professional knowledge.",
    "Attend events to develop professional knowledge.",
    "Train sales personnel.",
    "Enter information into databases or software programs.",
    "Purchase products or services.",
    "Negotiate purchases or contracts.",
    "Order materials, supplies, or equipment.",
    "Supervise employees.",
    "Prepare financial documents, reports, or budgets.",
    "Install computer software.",
    "Resolve computer software problems.",
    "Troubleshoot equipment or systems operation problems.",
})
ACT_FUNCTIONS = {
    **dict.fromkeys(SALES_ACTS, "sales"),
    **dict.fromkeys(MARKETING_ACTS, "marketing"),
    **dict.fromkeys(NEITHER_ACTS, "neither"),
}


def _rows(shared_dir: Path) -> list[list[str]]:
    path = shared_dir.joinpath(*DWA_DIR, TASKS_TO_DWAS)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        return [row for row in reader if len(row) >= 6]


def dwa_statements(shared_dir: Path) -> list[tuple[str, str]]:
    """(DWA title, function): the listed acts, and acts only other occupations perform as neither."""
    functions_of: dict[str, set[str]] = defaultdict(set)
    for row in _rows(shared_dir):
        functions_of[row[5]].add(onet_function(row[0]))
    out = []
    for title in sorted(functions_of):
        if title in ACT_FUNCTIONS:
            out.append((title, ACT_FUNCTIONS[title]))
        elif functions_of[title] == {"neither"}:
            out.append((title, "neither"))
    return out


def relabel_tasks(onet: Sequence[tuple[str, str]], shared_dir: Path) -> list[tuple[str, str]]:
    """Sales/marketing occupation tasks whose DWAs are all neither acts become ``neither``."""
    acts_of: dict[str, set[str]] = defaultdict(set)
    for row in _rows(shared_dir):
        acts_of[row[3]].add(row[5])
    out = []
    for text, function in onet:
        acts = acts_of.get(text)
        if function != "neither" and acts and all(ACT_FUNCTIONS.get(a) == "neither" for a in acts):
            function = "neither"
        out.append((text, function))
    return out
