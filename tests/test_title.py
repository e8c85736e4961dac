import pytest

from roleclass.title import normalise_title, title_claim


@pytest.mark.parametrize(
    ("title", "claim"),
    [
        ("Marketing Director", "marketing"),
        ("Sales Development Representative", "sales"),
        ("Account Executive", "sales"),
        ("Territory Manager", "sales"),
        ("Inside Sales Representative", "sales"),
        ("Sales Engineer", "sales"),
        ("Retail Sales Associate", "sales"),
        ("Brand Manager", "marketing"),
        ("SEO/SEM Specialist", "marketing"),
        ("Social Media Coordinator", "marketing"),
        ("Demand Generation Manager", "marketing"),
        ("PR Manager", "marketing"),
        ("Sales and Marketing Manager", "both"),
        ("Marketing & Business Development Executive", "both"),
        ("Director of Sales and Marketing", "both"),
        ("Office Manager", "other"),
        ("Software Engineer", "other"),
        ("Internal Communications Manager", "other"),
        ("Sales Research Analyst", "other"),
        ("Marketing Technology Engineer", "other"),
        ("Associate", "other"),
        ("Representative", "other"),
        ("Consultant", "other"),
        ("Online Marketing Manager (m/w/d)", "marketing"),
        ("Außendienstmitarbeiter (m/w/d) Vertrieb", "sales"),
        ("Mitarbeiter Marketing und Vertrieb (m/w/d)", "both"),
        ("Mechanical Sales Engineer Job in Marin County/North Bay", "sales"),
    ],
)
def test_title_claims_follow_labeling_md(title, claim):
    assert title_claim(title) == claim


def test_no_title_claims_nothing():
    assert title_claim(None) == "other"
    assert title_claim("   ") == "other"


def test_job_board_noise_is_stripped():
    assert normalise_title("Marketing Manager (m/w/d)") == "Marketing Manager"
    assert normalise_title("Sales Engineer Job in Austin, TX") == "Sales Engineer"


@pytest.mark.parametrize(
    ("title", "claim"),
    [
        # LABELING.md v3, settled title words
        ("Communications Manager", "marketing"),
        ("Internal Communications Manager", "other"),
        ("Partnerships Manager", "other"),
        ("Alliances Manager", "other"),
        ("Growth Lead", "other"),
        ("Growth Marketing Manager", "marketing"),
        ("Lead Generation Specialist", "other"),
        ("Relationship Manager", "other"),
        ("Customer Success Manager", "other"),
        ("Revenue Operations Manager", "other"),
        ("Sales Operations Coordinator", "other"),
        ("Sales Enablement Manager", "other"),
        ("Business Development Manager, Digital Marketing", "sales"),
        # qualified German titles and other heads (issue 9 item 8)
        ("Vertriebscontroller im Bankenumfeld (m/w/d)", "other"),
        ("Executive Assistant to the Chief Marketing Officer", "other"),
        ("Marketing Operations Director", "other"),
        # sales and marketing words LABELING.md names
        ("Technical Account Manager", "sales"),
        ("Pre-Sales Solution Engineer", "sales"),
        ("Account Development Representative", "sales"),
        ("ABM Manager", "marketing"),
        ("Marketing Copywriter", "marketing"),
    ],
)
def test_version_3_title_rules(title, claim):
    assert title_claim(title) == claim
