"""Every file in cypher/ runs on the embedded FalkorDB server with representative parameters.

A new query file without an entry in PARAMS fails here, so no query reaches main unexecuted.
(CI lints the same files with Neo4j's own grammar: `npm run lint:cypher`.)
"""

from __future__ import annotations

import pytest

from graph.cypher import query_names, statements
from graph.falkordb_store import FalkorStore
from tutor.mastery import BktParams

CHAPTER = {"id": "c1", "name": "Ch", "order": 1, "area": "a", "dataset": "d"}
KP = {"id": "k1", "name": "K", "description": "", "chapter_id": "c1", "dataset": "d"}
KP2 = {**KP, "id": "k2"}
QUESTION = {"id": "q1", "text": "1+1?", "options": ["1", "2"], "answer": "2",
            "explanation": "", "level": "basic", "dataset": "d"}
STUDENT = {"id": "s1", "name": "S", "email": "", "affect_consent": False, "dataset": "d"}
ATTEMPT = {"event_id": "e1", "student_id": "s1", "question_id": "q1", "correct": True,
           "ts": 1, "seq": 0, "duration_s": 3.5, "source": "t"}
NOTIFICATION = {"id": "n1", "to": "t@example.org", "subject": "S", "body": "B",
                "student_id": "s1", "kind": "negative_affect", "next_try": 1, "created": 1}

LTI_LINK = {"id": "https://lms|c|d|r1|s1", "issuer": "https://lms", "client_id": "c",
            "deployment_id": "d", "resource_link_id": "r1", "title": "T", "lti_user_id": "u1",
            "lineitem": "https://lms/lineitems/1", "lineitems": "https://lms/lineitems",
            "scopes": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]}

XAPI_ROW = {"id": "api:u1", "statement_id": "u1", "raw": "{}", "digest": "d1", "stored": 5,
            "tenant": "", "verb": "http://adlnet.gov/expapi/verbs/completed",
            "kind": "activity", "ts": 4, "student_id": "s1"}

ASSESSMENT = {"id": "a1", "title": "Quiz", "form": "fixed", "dataset": "d", "created_by": "t1",
              "created_at": 1, "status": "published", "purpose": "test",
              "question_ids": ["q1"], "blueprint_scopes": [], "blueprint_counts": [],
              "scope_ids": [], "opens_at": None, "closes_at": None, "time_limit_s": 60,
              "attempts_allowed": 1, "show_results": True, "allow_back": True,
              "max_items": 20, "se_stop": 0.3, "version": 1}
EXPERIMENT = {"id": "x1", "name": "X", "hypothesis": "H", "arms": ["kgtutor", "fixed"],
              "pre_test_id": "a1", "post_test_id": "a2", "created_by": "t1", "created_at": 5,
              "questionnaire": ["q?", "r?", "s?"], "starts_at": 5, "ends_at": None,
              "budget": 100, "seed": 1, "strata": 4, "phase": "running", "version": 1}
SITTING = {"test_id": "a1", "student_id": "s1", "number": 1, "started_at": 2,
           "deadline": 60_002, "items": ["q1"], "responses": [""], "correct": [False],
           "answered_at": [0], "finished_at": None, "theta": None, "se": None,
           "recorded": False, "version": 1}

# name -> parameters; files are run in this order, so writes come before reads that need them
PARAMS: dict[str, dict] = {
    "upsert_chapters": {"rows": [CHAPTER]},
    "upsert_kps": {"rows": [KP, KP2]},
    "upsert_prerequisites": {"rows": [{"before": "k1", "after": "k2", "inferred": False,
                                       "confidence": 1.0}]},
    "upsert_rejected_prerequisites": {"rows": [{"before": "k2", "after": "k2",
                                                "reason": "self-loop"}]},
    "upsert_questions": {"rows": [QUESTION]},
    "upsert_tests": {"rows": [{"question_id": "q1", "kp_id": "k1", "weight": 1.0}]},
    "upsert_resources": {"rows": [{"id": "r1", "title": "T", "kind": "video", "level": "basic",
                                   "url": "u", "body": "", "minutes": 4, "dataset": "d"}]},
    "upsert_teaches": {"rows": [{"resource_id": "r1", "kp_id": "k1"}]},
    "upsert_students": {"rows": [STUDENT]},
    "upsert_tutors": {"rows": [{"id": "t1", "name": "T", "email": "", "dataset": "d"}]},
    "upsert_classes": {"rows": [{"id": "cl1", "name": "C", "dataset": "d"}]},
    "upsert_memberships": {"rows": [{"student_id": "s1", "class_id": "cl1"}]},
    "upsert_class_tutors": {"rows": [{"tutor_id": "t1", "class_id": "cl1"}]},
    "enqueue_notification": NOTIFICATION,
    "claim_notifications": {"now": 2, "lease_ms": 1000, "limit": 10},
    "mark_notification_retry": {"id": "n1", "attempts": 1, "status": "pending",
                                "next_try": 60_001, "error": "down"},
    "mark_notification_sent": {"id": "n1", "now": 60_001},
    "count_existing_attempts": {"ids": ["e1"]},
    "create_attempts": {"rows": [ATTEMPT]},
    "existing_attempts": {"ids": ["e1", "e2"]},
    "refresh_mastery": {"rows": [{"student_id": "s1", "question_ids": None}],
                        **BktParams().as_params()},
    "theta_answers": {"student_ids": ["s1", "nobody"]},
    "refresh_theta": {"rows": [{"id": "s1", "theta": 0.6, "var": 0.4, "responses": 1},
                               {"id": "s1", "theta": 9.0, "var": 0.1, "responses": 2}]},
    "set_item_irt": {"rows": [{"id": "q1", "a": 1.2, "b": -0.3, "responses": 1}]},
    "set_student_theta": {"rows": [{"id": "s1", "theta": 0.4, "var": 0.5, "responses": 1}]},
    "stale_students": {},
    "student_node": {"student_id": "s1"},
    "student_record_edges": {"student_id": "s1"},
    "student_record_nodes": {"student_id": "s1"},
    "redact_affect": {"student_id": "s1", "redacted": "[erased]"},
    "erase_student": {"student_id": "nobody"},
    "login_lock": {"username": "nobody"},
    "login_failed": {"username": "nobody"},
    "set_login_lock": {"username": "nobody", "until": 0, "failures": 0},
    "set_kp_bkt": {"rows": [{"id": "k1", "prior": 0.3, "learn": 0.1, "guess": 0.2, "slip": 0.1,
                             "own": True}]},  # the defaults: the mastery asserted stays
    "kp_first_answers": {},
    "set_kp_known_share": {"rows": [{"id": "k2", "share": 0.6, "students": 0}]},
    "student_abilities": {"student_ids": ["s1", "nobody"]},
    "question_irt": {"question_ids": ["q1"]},
    "rec_kps": {"dataset": "d"},
    "rec_questions": {"dataset": "d"},
    "dataset_attempts": {"dataset": "d"},
    "kp_popularity": {"dataset": "d"},
    "mastery_matrix": {"dataset": "d"},
    "write_model_states": {"rows": [{"student_id": "s1", "state": "c3RhdGU="},
                                    {"student_id": "nobody", "state": "eA=="}]},
    "rec_learner": {"student_id": "s1", "limit": 10, "kept": True},
    "model_histories": {"student_ids": ["s1", "nobody"], "limit": 10},
    "question_texts": {"dataset": "d"},
    "resource_texts": {"dataset": "d"},
    "item_dataset": {"item_id": "q1"},
    "graph_stats_nodes": {},
    "graph_stats_relationships": {},
    "chapters": {"dataset": None},
    "chapter_kps": {"chapter_id": "c1"},
    "chapter_prerequisites": {"chapter_id": "c1"},
    "student_mastery": {"student_id": "s1"},
    "class_mastery": {"class_id": "cl1"},
    "kp_ancestors": {"kp_id": "k2"},
    "prerequisite_chain": {"from_id": "k1", "to_id": "k2"},
    "frontier": {"student_id": "s1", "threshold": 0.85},
    "kp_exists": {"kp_id": "k1"},
    "student_exists": {"student_id": "s1"},
    "chapter_exists": {"chapter_id": "c1"},
    "class_exists": {"class_id": "cl1"},
    "save_learning_path": {"id": "s1|k2|1", "student_id": "s1", "goal": "k2", "version": 1,
                           "reason": "created", "ts": 1, "session_size": None,
                           "kp_ids": ["k1", "k2"], "statuses": ["current", "todo"],
                           "pinned": [False, False], "inserted": [False, False]},
    "current_learning_path": {"student_id": "s1", "goal": None},
    "learning_path_history": {"student_id": "s1", "goal": "k2"},
    "path_prerequisites": {"goal": "k2"},
    "set_affect_consent": {"student_id": "s1", "consent": True, "ts": 5},
    "get_affect_consent": {"student_id": "s1"},
    "record_affect": {"student_id": "s1", "id": "s1|face|10", "tag": "confused",
                      "confidence": 0.7, "source": "face", "ts": 10},
    "affect_history": {"student_id": "s1", "since": 0},
    "latest_affect": {"student_ids": ["s1", "nobody"]},
    "active_students": {"since": 0},
    "adjust_learners": {"student_ids": ["s1", "nobody"], "since": 0, "limit": 10},
    "save_adjustment": {"id": "s1|0", "student_id": "s1", "window": 0, "findings": ["stuck"],
                        "actions": "[]", "reasons": ["r"], "run_id": "run1", "ts": 10},
    "student_adjustments": {"student_id": "s1", "limit": 5},
    "student_tutors": {"student_id": "s1"},
    "all_students": {},
    "profile_answers": {"student_ids": ["s1"]},
    "save_profiles": {"rows": [{"student_id": "s1", "attempts": 1, "correct_rate": 1.0,
                                "time_spent_s": 3.5, "attempts_7d": 1, "last_active": 1,
                                "interest_tags": ["k1"], "interest_weights": [1.0],
                                "latest_emotion": "confused", "latest_emotion_ts": 10,
                                "refreshed": 20}]},
    "read_profile": {"student_id": "s1"},
    "kp_resources": {"kp_ids": ["k1"], "kinds": [], "levels": ["basic"]},
    "plan_context": {"student_id": "s1", "since": 0, "limit": 10},
    "resource_candidates": {"dataset": "d"},
    "record_resource_use": {"student_id": "s1", "resource_id": "r1", "ts": 0},
    "resource_uses": {"dataset": "d"},
    "get_resource": {"resource_id": "r1"},
    "save_calibration": {"dataset": "d", "answers": 1, "ts": 5, "questions": 1, "students": 1},
    "calibration_state": {"dataset": None},
    "delete_affect": {"student_id": "s1"},
    "student_notifications": {"student_id": "s1"},
    "outbox_counts": {},
    # --- the web API: accounts, access, students
    "ping": {},
    "add_user": {"username": "u1", "password_hash": "h", "role": "tutor", "student_id": "",
                 "tutor_id": "t1", "now": 1},
    "find_user": {"username": "u1"},
    "set_password_hash": {"username": "u1", "password_hash": "h2"},
    "ensure_tutor": {"tutor_id": "t1", "name": "T", "email": ""},
    "add_lms_client": {"client_id": "c1", "name": "LMS", "tenant": "north", "secret_hash": "h",
                       "now": 1},
    "find_lms_client": {"client_id": "c1"},
    "revoke_token": {"jti": "j1", "exp": 10},
    "spend_token": {"jti": "j-spent", "exp": 4_000_000_000, "claim": "c1"},  # not purged
    "token_revoked": {"jti": "j1", "subject": "u1"},
    "token_revoked_student_access": {"jti": "j1", "subject": "u1", "student_id": "s1",
                                     "tutor_id": "t1"},
    "set_user_disabled": {"username": "nobody", "disabled": True, "tokens_after": 5},
    "purge_revoked_tokens": {"now": 11},
    "student_access": {"student_id": "s1", "tutor_id": "t1"},
    "class_access": {"class_id": "cl1", "tutor_id": "t1"},
    "create_student": {"id": "s2", "name": "N", "email": "", "tenant": "north", "dataset": "d",
                       "now": 1},
    "update_student": {"student_id": "s2", "name": None, "email": "n@example.org"},
    "get_student": {"student_id": "s1"},
    "list_students": {"tenant": "", "tutor_id": "t1", "class_id": "", "min_mastery": 0.1,
                      "max_mastery": None, "active_since": None, "skip": 0, "limit": 10},
    "class_roster": {"class_id": "cl1"},
    "class_learners": {"class_id": "cl1", "since": 0, "limit": 200},
    "cache_version": {"name": "catalogue"},  # before any bump: null, read as 0
    "bump_cache_version": {"name": "catalogue"},
    "class_chapter_mastery": {"class_id": "cl1", "threshold": 0.85},
    "class_notifications": {"class_id": "cl1", "limit": 10},
    "lti_put_state": {"key": "lti1p3-sid-nonce-n1", "value": "true", "expires": 10_000},
    "lti_get_state": {"key": "lti1p3-sid-nonce-n1", "now": 5},
    "lti_take_state": {"key": "lti1p3-sid-nonce-n1", "now": 5},
    "lti_purge_state": {"now": 20_000},
    "lti_learner_launch": {"student_id": "s1", "tenant": "t", "dataset": "d", "name": "S",
                           "email": None, "classes": [{"id": "cl1", "name": "C"}],
                           "link": LTI_LINK, "now": 1},
    "lti_instructor_launch": {"tutor_id": "t1", "tenant": "t", "dataset": "d", "name": None,
                              "email": None, "classes": [{"id": "cl1", "name": "C"}], "now": 1},
    "lti_student_launch": {"student_id": "s1", "resource_link_id": None, "test_id": None},
    "lti_practice_since": {"student_id": "s1", "since": 0},
    "save_lrs_cursor": {"id": "http://127.0.0.1:8100/xAPI",
                        "stored": "2026-01-01T00:00:00.000000+00:00",
                        "stored_us": 1_767_225_600_000_000, "ids": ["st1"], "now": 1},
    "lrs_cursor": {"id": "http://127.0.0.1:8100/xAPI"},
    "known_questions": {"ids": ["q1", "nope"]},
    "known_students": {"ids": ["s1", "nope"]},
    "stored_attempts": {"ids": ["e1", "nope"]},
    "attempt_checks": {"question_ids": ["q1", "nope"], "student_ids": ["s1", "nope"],
                       "event_ids": ["e1", "nope"]},
    "get_attempt": {"event_id": "e1"},
    "list_attempts": {"student_id": "s1", "from_ts": 0, "to_ts": None, "kp_id": "k1",
                      "chapter_id": "c1", "correct": True, "skip": 0, "limit": 10},
    "ensure_students": {"rows": [{"id": "sx", "name": "SX", "email": "SX@example.org",
                                  "tenant": "t1", "dataset": "d", "now": 1}]},
    "tenant_dataset": {"tenant": "t1"},
    "students_by_email": {"emails": ["sx@example.org"], "tenant": "t1", "tutor_id": "",
                          "student_id": ""},
    "tenant_students": {"tenant": "t1", "rows": [{"id": "sx", "keys": ["sx", "t1:sx"]}]},
    "save_statements": {"rows": [XAPI_ROW], "batch": "b1"},
    "link_statement_students": {"rows": [{"id": "api:u1", "student_id": "s1", "ts": 4}]},
    "stored_statements": {"ids": ["api:u1", "nope"]},
    "student_xapi_activity": {"student_id": "s1"},
    "list_statements": {"tenant": None, "stored": -1, "after_id": None, "limit": 10},
    "list_classes": {"tutor_id": "t1", "tenant": ""},
    "get_question": {"question_id": "q1"},
    "question_key": {"question_id": "q1"},
    "kp_detail": {"kp_id": "k1"},
    "kp_questions": {"kp_id": "k1", "limit": 50},
    "class_kp_struggling": {"class_id": "cl1", "kp_id": "k1", "below": 0.9, "recent": 3,
                            "wrong": 2},
    "save_assessment": {"id": "a1", "expected": 0, "now": 1, "class_ids": ["cl1"],
                        "props": ASSESSMENT},
    "get_assessment": {"id": "a1"},
    "list_assessments": {"tutor_id": "t1", "tenant": "", "archived": False,
                         "purpose": "test"},
    "student_assessments": {"student_id": "s1"},
    "save_sitting": {"id": "a1|s1|1", "student_id": "s1", "test_id": "a1", "expected": 0,
                     "now": 2, "props": SITTING},
    "student_sittings": {"student_id": "s1", "test_id": "a1"},
    "assessment_sittings": {"test_id": "a1"},
    "question_pool": {"scope_ids": ["k1", "c1", "nope"]},
    "question_kps": {"ids": ["q1"]},
    "question_facts": {"ids": ["q1", "nope"]},
    "save_placement": {"student_id": "s1", "ts": 3, "sitting_id": "a1|s1|1",
                       "rows": [{"kp_id": "k1", "p": 0.8}, {"kp_id": "k2", "p": 0.4}]},
    "placement_state": {"student_id": "s1"},
    "save_experiment": {"id": "x1", "expected": 0, "now": 5, "class_ids": ["cl1"],
                        "props": EXPERIMENT},
    "get_experiment": {"id": "x1"},
    "list_experiments": {"tutor_id": "t1", "tenant": ""},
    "experiment_members": {"id": "x1"},
    "set_experiment_consent": {"id": "x1", "student_id": "s1", "consent": True, "now": 6},
    "enrol_students": {"id": "x1", "now": 7, "rows": [
        {"student_id": "s1", "arm": "fixed", "stratum": 0, "pre": 50.0}]},
    "control_arm_students": {"ids": ["s1", "nope"], "adaptive": "kgtutor"},
    "student_experiments": {"student_id": "s1"},
    "save_questionnaire": {"id": "x1|s1", "experiment_id": "x1", "student_id": "s1",
                           "answers": [4, 5, 3], "now": 8},
    "experiment_outcomes": {"id": "x1", "from": 0, "to": 100, "tau": 0.5},
    "create_class": {"id": "cl-new", "name": "New", "dataset": "d", "now": 9},
    "content_dataset": {"id": "k1"},
    "tutor_datasets": {"tutor_id": "t1"},
    "dataset_prerequisite_edges": {"dataset": "d"},
    "add_prerequisite": {"before": "k2", "after": "k1", "who": "u1"},
    "remove_prerequisite": {"before": "k2", "after": "k1"},
    "question_answer_count": {"id": "q1"},
    "set_question_meta": {"id": "q1", "type": "numeric", "tolerance": 0.5, "hints": ["h"],
                          "tags": ["t"], "version": 1, "base_id": "q1", "kp_ids": ["k1"],
                          "weights": [1.0]},
    "grading_key": {"question_id": "q1"},
    "supersede_question": {"id": "q1", "new_id": "q1~v2"},
    "set_archived": {"id": "k2", "archived": True},
    "save_audit": {"id": "a1", "ts": 1, "who": "u1", "action": "edit KP", "target": "k2",
                   "dataset": "d", "details": "{}"},
    "list_audit": {"datasets": ["d"], "skip": 0, "limit": 10},
    "export_chapters": {"dataset": "d"},
    "export_kps": {"dataset": "d"},
    "export_prerequisites": {"dataset": "d"},
    "export_questions": {"dataset": "d"},
    "export_resources": {"dataset": "d"},
    "clear_graph": {},
}
SCHEMA_FILES = {"schema_falkordb", "schema_neo4j"}  # multi-statement, run by ensure_schema


def test_every_query_file_has_parameters_here() -> None:
    assert set(query_names()) - SCHEMA_FILES == set(PARAMS)


def test_every_query_file_runs_on_falkordb(embedded) -> None:
    store = FalkorStore(embedded.client(), "cypher_files")
    store.clear()
    store.ensure_schema()
    results = {name: store.write(name, params) for name, params in PARAMS.items()}
    assert results["upsert_kps"] == [{"n": 2}]
    assert results["create_attempts"] == [{"n": 1}]
    assert results["existing_attempts"] == [{"id": "e1"}]
    assert results["refresh_mastery"] == [{"n": 1}]
    # the IRT fit's item parameters are not written yet: the answer comes with its level
    assert results["theta_answers"] == [{"student_id": "s1", "a": [1.0], "b": [0.0],
                                         "fitted": [False], "level": ["basic"],
                                         "correct": [True]}]
    assert results["refresh_theta"] == [{"n": 1}]  # the row that counts 2 answers is stale
    assert results["set_item_irt"] == results["set_student_theta"] == [{"n": 1}]
    assert results["set_kp_bkt"] == [{"n": 1}]
    # k1's one student answered it right first; k2 was never answered
    assert results["kp_first_answers"] == [
        {"dataset": "d", "kp_id": "k1", "students": 1, "right": 1},
        {"dataset": "d", "kp_id": "k2", "students": 0, "right": 0}]
    assert results["set_kp_known_share"] == [{"n": 1}]
    assert results["save_statements"] == [{"id": XAPI_ROW["id"]}]  # created by batch b1
    assert results["student_abilities"] == [{"id": "s1", "theta": 0.4, "var": 0.5,
                                             "responses": 1}]
    assert results["question_irt"] == [{"id": "q1", "a": 1.2, "b": -0.3, "responses": 1}]
    assert results["attempt_checks"] == [{"questions": ["q1"], "students": ["s1"],
                                          "event_ids": ["e1"], "stored_students": ["s1"],
                                          "stored_questions": ["q1"], "stored_correct": [True]}]
    assert results["rec_learner"] == [{"dataset": "d", "theta": 0.4, "var": 0.5,
                                       "responses": 1, "mastery_kps": ["k1"],
                                       "mastery_p": results["rec_learner"][0]["mastery_p"],
                                       "answer_ids": ["q1"], "answer_correct": [True],
                                       "placed": [], "placed_at": None,
                                       "model_state": "c3RhdGU="}]
    assert results["model_histories"] == [{"student_id": "s1", "dataset": "d",
                                           "answer_ids": ["q1"], "answer_correct": [True],
                                           "model_state": "c3RhdGU="}]
    assert results["mastery_matrix"] == [{"student_id": "s1", "kp_id": "k1",
                                          "p": results["mastery_matrix"][0]["p"]}]
    assert results["kp_popularity"] == [{"id": "k1", "attempts": 1}]
    assert [r["id"] for r in results["rec_kps"]] == ["k1", "k2"]
    assert [r["known_share"] for r in results["rec_kps"]] == [None, 0.6]
    assert [r["chapter_id"] for r in results["rec_kps"]] == ["c1", "c1"]
    assert results["question_texts"] == [{"id": "q1", "text": "1+1?", "extra": "",
                                          "kp_names": ["K"], "kp_ids": ["k1"]}]
    assert results["resource_texts"][0]["id"] == "r1"
    assert results["item_dataset"] == [{"dataset": "d"}]
    assert results["rec_questions"][0]["kp_ids"] == ["k1"]
    assert [(r["student_id"], r["question_id"], r["correct"])
            for r in results["dataset_attempts"]] == [("s1", "q1", True)]
    assert results["prerequisite_chain"] == [{"chain": ["k1", "k2"]}]
    # one right answer lifts BKT mastery of k1 to ~0.69 only: k1 is still the frontier, not k2
    assert [r["id"] for r in results["frontier"]] == ["k1"]
    assert results["class_mastery"][0]["students"] == 1
    assert results["save_learning_path"] == [{"id": "s1|k2|1", "version": 1, "created": True,
                                              "linked_kps": 2}]
    assert results["current_learning_path"][0]["kp_ids"] == ["k1", "k2"]
    assert results["path_prerequisites"] == [
        {"id": "k1", "chapter_order": 1, "prerequisites": []},
        {"id": "k2", "chapter_order": 1, "prerequisites": ["k1"]}]
    assert results["record_affect"] == [{"id": "s1|face|10"}]
    assert results["affect_history"][0]["tag"] == "confused"
    assert results["latest_affect"][0]["student_id"] == "s1"
    assert results["active_students"] == [{"id": "s1"}]
    (learner,) = results["adjust_learners"]  # an unknown id is left out
    assert learner["student_id"] == "s1"
    assert {k: v for k, v in learner.items() if k not in ("student_id", "affect")} == {
        k: v for k, v in results["rec_learner"][0].items() if k != "model_state"}
    assert learner["affect"] == [{"tag": "confused", "confidence": 0.7, "source": "face",
                                  "ts": 10}]
    assert results["save_adjustment"] == [{"created": True}]
    assert results["student_tutors"] == [{"id": "t1", "name": "T", "email": ""}]
    assert results["profile_answers"][0]["question_id"] == "q1"
    assert results["read_profile"][0]["interest_tags"] == ["k1"]
    assert results["read_profile"][0]["class_ids"] == ["cl1"]
    assert results["kp_resources"][0]["id"] == "r1"
    context = results["plan_context"][0]
    for key in ("mastery_kps", "mastery_p", "answer_ids", "answer_correct", "model_state"):
        assert context[key] == results["rec_learner"][0][key]
    stamps = context["answer_ts"]  # newest first, one per answer (a practice set's progress)
    assert len(stamps) == len(context["answer_ids"]) > 0 and stamps == sorted(stamps)[::-1]
    assert context["affect"] == [{"tag": "confused", "confidence": 0.7, "source": "face",
                                  "ts": 10}]
    assert context["adjustments"] == [{"window": 0, "actions": "[]"}]
    assert [(r["id"], r["kp_id"], r["minutes"]) for r in results["resource_candidates"]] == [
        ("r1", "k1", 4)]
    assert results["record_resource_use"] == [{"id": "r1", "url": "u"}]
    assert results["get_resource"][0]["kp_ids"] == ["k1"]
    assert results["get_resource"][0]["minutes"] == 4
    assert results["save_calibration"] == [{"id": "d"}]
    assert results["calibration_state"] == [{"dataset": "d", "answers": 1, "fitted_answers": 1,
                                             "fitted_at": 5, "fitted_questions": 1}]
    assert store.read("calibration_state", {"dataset": "other"}) == []
    assert results["resource_uses"] == [{"resource_id": "r1", "kp_id": "k1", "ts": 0,
                                         "answers": [[1, True]]}]
    assert results["delete_affect"] == [{"n": 1}]
    assert results["enqueue_notification"] == [{"id": "n1", "queued": True}]
    assert results["claim_notifications"][0]["id"] == "n1"
    assert results["mark_notification_sent"] == [{"n": 1}]
    assert [(r["status"], r["attempts"]) for r in results["student_notifications"]] == [
        ("sent", 2)]
    assert results["outbox_counts"] == [{"status": "sent", "n": 1}]
    assert results["class_roster"] == [{"id": "cl1", "name": "C",
                                        "students": [{"id": "s1", "name": "S"}]}]
    assert results["class_chapter_mastery"][0]["estimates"] == 1
    assert [(r["student_id"], r["answer_ids"], r["answer_correct"], r["mastery_kps"],
             r["mastery_chapters"]) for r in results["class_learners"]] == [
        ("s1", ["q1"], [True], ["k1"], ["c1"])]
    assert [r["id"] for r in results["class_notifications"]] == ["n1"]
    assert results["save_assessment"] == [{"id": "a1", "version": 1, "classes": 1}]
    assert results["get_assessment"][0]["class_ids"] == ["cl1"]
    assert results["get_assessment"][0]["props"]["question_ids"] == ["q1"]
    assert [(r["props"]["id"], r["sittings"]) for r in results["list_assessments"]] == [
        ("a1", 0)]  # listed before the sitting was saved
    assert [r["props"]["id"] for r in results["student_assessments"]] == ["a1"]
    assert results["save_sitting"] == [{"id": "a1|s1|1", "version": 1}]
    assert results["student_sittings"][0]["props"]["items"] == ["q1"]
    assert results["assessment_sittings"][0]["name"] == "S"
    assert [(r["scope_id"], r["id"], r["kp_id"], r["dataset"])
            for r in results["question_pool"]] == [("c1", "q1", "k1", "d"), ("k1", "q1", "k1", "d")]
    assert results["question_kps"] == [{"question_id": "q1", "kp_id": "k1", "name": "K",
                                        "weight": 1.0}]
    assert results["question_facts"] == [{"id": "q1", "dataset": "d", "gradable": True}]
    assert results["save_placement"] == [{"n": 2}]
    assert results["placement_state"] == [{"placed_at": 3, "attempts": 1}]
    assert results["save_experiment"] == [{"id": "x1", "version": 1, "classes": 1}]
    assert results["get_experiment"][0]["class_ids"] == ["cl1"]
    assert [r["props"]["id"] for r in results["list_experiments"]] == ["x1"]
    assert results["experiment_members"] == [{"student_id": "s1", "consent": None}]
    assert results["set_experiment_consent"] == [{"consent": True, "withdrawn_at": None,
                                                  "arm": None}]
    assert results["enrol_students"] == [{"n": 1}]
    assert results["control_arm_students"] == [{"id": "s1"}]
    assert results["student_experiments"][0]["consent"] is True
    assert results["save_questionnaire"] == [{"answers": [4, 5, 3], "created": True}]
    [outcome] = results["experiment_outcomes"]
    assert (outcome["arm"], outcome["answers"], outcome["likert"]) == ("fixed", 1, [4, 5, 3])
    assert outcome["chapters"] == 1  # k1 mastered (p >= 0.5), k2 not: not completed
    assert outcome["completed"] == 0
    assert results["content_dataset"] == [{"dataset": "d", "kind": "kp"}]
    assert results["tutor_datasets"] == [{"dataset": "d"}]
    assert {r["id"]: r["after"] for r in results["dataset_prerequisite_edges"]} == {
        "k1": ["k2"], "k2": []}
    assert results["add_prerequisite"] == [{"n": 1}]
    assert results["remove_prerequisite"] == [{"n": 1}]
    assert results["question_answer_count"][0]["answers"] == 1
    assert results["set_question_meta"] == [{"n": 1}]
    assert results["grading_key"] == [{"type": "numeric", "answer": "2", "tolerance": 0.5}]
    assert results["supersede_question"] == [{"id": "q1"}]
    assert results["set_archived"] == [{"n": 1}]
    assert [r["target"] for r in results["list_audit"]] == ["k2"]
    assert [(r["id"], r["archived"]) for r in results["export_kps"]] == [("k1", False),
                                                                        ("k2", True)]
    assert results["export_chapters"][0]["id"] == "c1"
    assert results["export_prerequisites"] == [{"before": "k1", "after": "k2",
                                                "inferred": False, "confidence": 1.0}]
    [question] = results["export_questions"]
    assert (question["type"], question["kp_ids"], question["superseded_by"]) == (
        "numeric", ["k1"], "q1~v2")
    assert results["export_resources"][0]["kp_ids"] == ["k1"]
    assert results["export_resources"][0]["minutes"] == 4
    assert results["lti_take_state"] == [{"live": True}]
    assert results["lti_student_launch"][0]["resource_link_id"] == "r1"
    assert results["lti_practice_since"][0]["answers"] == 1
    assert results["lrs_cursor"] == [{"stored": "2026-01-01T00:00:00.000000+00:00",
                                      "stored_us": 1767225600000000, "ids": ["st1"]}]
    assert results["list_attempts"][0]["total"] == 1
    assert results["student_xapi_activity"] == [{"last_activity": 4, "statements": 1}]
    assert results["tenant_dataset"] == [{"dataset": "d"}]
    assert results["list_classes"] == [{"id": "cl1", "name": "C", "students": 1}]
    assert results["kp_detail"][0]["unlocks"] == ["k2"]
    assert results["add_user"] == [{"created": True}]
    assert results["find_user"][0]["tutor_id"] == "t1"
    assert results["token_revoked"] == [{"n": 1, "disabled": False, "tokens_after": 0}]
    assert results["token_revoked_student_access"] == [{
        "n": 1, "disabled": False, "tokens_after": 0, "student_id": "s1", "tenant": "",
        "taught": True}]
    assert results["purge_revoked_tokens"] == [{"n": 1}]
    assert results["set_user_disabled"] == [{"n": 0}]
    assert results["spend_token"] == [{"spent": True}]
    assert results["cache_version"] == [{"version": None}]
    assert results["bump_cache_version"] == [{"version": 1}]
    assert results["student_access"] == [{"student_id": "s1", "tenant": "", "taught": True}]
    assert results["class_access"] == [{"class_id": "cl1", "tenant": "", "taught": True}]
    assert results["get_student"][0]["classes"] == ["cl1"]
    assert results["list_students"][0]["total"] == 1
    assert [r["id"] for r in results["list_students"][0]["page"]] == ["s1"]
    store.close()


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_files_split_into_statements(name: str) -> None:
    parts = statements(name)
    assert len(parts) >= 8 and all(p.startswith("CREATE") for p in parts)


def test_the_plan_queries_answer_for_a_student_with_nothing_yet(embedded) -> None:
    """No answers, feelings or adjustments: one row of empty lists; empty KP lists and LIMIT 0
    leave their parts out."""
    store = FalkorStore(embedded.client(), "cypher_plan")
    store.clear()
    store.write("upsert_students", {"rows": [STUDENT]})
    assert store.read("plan_context", {"student_id": "s1", "since": 0, "limit": 10}) == [
        {"dataset": "d", "theta": None, "var": None, "responses": None, "mastery_kps": [],
         "mastery_p": [], "answer_ids": [], "answer_correct": [], "answer_ts": [],
         "affect": [], "adjustments": [], "placed": [], "placed_at": None, "arms": [],
         "model_state": None}]
    assert store.read("plan_context", {"student_id": "nobody", "since": 0, "limit": 10}) == []
    assert store.read("resource_candidates", {"dataset": "d"}) == []
    assert store.read("resource_uses", {"dataset": "d"}) == []
    store.close()
