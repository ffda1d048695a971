"""A small course of its own ("asmt": two chapters, six KPs in two prerequisite chains, 60
gradable questions with a 2PL fit, five of them on too few answers), a class of four students
and its tutor, and another class of another tutor: the test API's tests touch no other test's
students, tutors or items."""

from __future__ import annotations

from graph.ingest import GraphData, ingest
from graph.irt import write_irt
from services import accounts
from tutor.access import Role
from tutor.curriculum import Chapter, KnowledgePoint, Prerequisite, Question, Tests
from tutor.ports import GraphStore
from tutor.roster import SchoolClass, Student, Tutor

DATASET = "asmt"
CLASS = "asmt-class"
OTHER_CLASS = "asmt-class-b"  # taught by OTHER_TUTOR only
TUTOR, OTHER_TUTOR = "asmt-tutor", "asmt-tutor-b"
STUDENTS = ("asmt-s1", "asmt-s2", "asmt-s3", "asmt-s4")
OUTSIDER = "asmt-s9"  # in OTHER_CLASS only
NEWCOMER = "asmt-new"  # in no class, never practised: the placement tests' student
KPS = {f"asmt-k{i}": "asmt-ch1" if i <= 3 else "asmt-ch2" for i in range(1, 7)}
OPTIONS = ("red", "green", "blue", "white")
PASSWORD = "correct horse battery"
UNSTABLE = 5  # questions fitted on too few answers: a CAT leaves them out


def question_id(kp: int, n: int) -> str:
    return f"asmt-q{kp}-{n}"


def key(question: str) -> str:
    """The right option of a bank question (tests answer with it, or not)."""
    return OPTIONS[sum(map(ord, question)) % 4]


def wrong(question: str) -> str:
    return next(o for o in OPTIONS if o != key(question))


def load(store: GraphStore, now: int) -> None:
    questions = [question_id(k, n) for k in range(1, 7) for n in range(10)]
    ingest(store, GraphData(
        DATASET,
        chapters=[Chapter("asmt-ch1", "Colours", 1), Chapter("asmt-ch2", "Shades", 2)],
        kps=[KnowledgePoint(k, f"Colour {k[-1]}", ch) for k, ch in KPS.items()],
        prerequisites=[Prerequisite("asmt-k1", "asmt-k2"), Prerequisite("asmt-k2", "asmt-k3"),
                       Prerequisite("asmt-k4", "asmt-k5"), Prerequisite("asmt-k5", "asmt-k6")],
        questions=[Question(q, f"Which colour is {q}?", OPTIONS, key(q)) for q in questions],
        tests=[Tests(question_id(k, n), f"asmt-k{k}") for k in range(1, 7) for n in range(10)],
        students=[Student(s, f"Student {s[-1]}") for s in (*STUDENTS, OUTSIDER, NEWCOMER)],
        tutors=[Tutor(TUTOR, "Tess Colour"), Tutor(OTHER_TUTOR, "Otto Other")],
        classes=[SchoolClass(CLASS, "Colour class", (TUTOR,), STUDENTS),
                 SchoolClass(OTHER_CLASS, "Other class", (OTHER_TUTOR,), (OUTSIDER,))],
    ))
    b = [-2.5 + 5.0 * i / (len(questions) - 1) for i in range(len(questions))]
    write_irt(store, item_ids=questions, a=[1.0 + (i % 3) * 0.4 for i in range(len(questions))],
              b=b, item_responses=[10 if i < UNSTABLE else 200 for i in range(len(questions))],
              student_ids=[], theta=[], theta_var=[], student_responses=[])
    for s in (*STUDENTS, OUTSIDER, NEWCOMER):
        accounts.add_user(store, s, PASSWORD, Role.STUDENT, now, student_id=s)
    for t in (TUTOR, OTHER_TUTOR):
        accounts.add_user(store, t, PASSWORD, Role.TUTOR, now, tutor_id=t)
