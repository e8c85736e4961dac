"""The duty shares a posting model reads: weighted sums of the statements' probabilities."""

import numpy as np

from roleclass.posting_model import DutyMass, duty_mass


def test_soft_and_hard_masses_are_the_weighted_sums_bit_for_bit() -> None:
    """Soft: the weights times the probabilities; hard: each weight added, in order, to its
    statement's most probable function (the first of equals), as ``np.add.at`` adds."""
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 40, 300):
        probabilities = rng.dirichlet(np.ones(3), size=n)
        probabilities[0] = [0.4, 0.4, 0.2]  # a tie: the first function takes it
        weights = rng.uniform(0.0, 3.0, size=n) * (rng.random(n) > 0.2)  # some statements weigh nothing
        hard = np.zeros(3)
        np.add.at(hard, probabilities.argmax(axis=1), weights)
        expected = DutyMass(*(float(v) for v in weights @ probabilities), *(float(v) for v in hard))
        got = duty_mass(probabilities, weights)
        assert got == expected
        assert all(type(v) is float for v in vars(got).values())
    assert duty_mass(np.zeros((0, 3)), np.zeros(0)) == DutyMass(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_a_tie_goes_to_the_first_function() -> None:
    mass = duty_mass(np.array([[0.4, 0.4, 0.2], [0.1, 0.3, 0.6]]), np.array([2.0, 1.0]))
    assert (mass.hard_sales, mass.hard_marketing, mass.hard_neither) == (2.0, 0.0, 1.0)
