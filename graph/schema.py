"""Uniqueness keys of the graph model, shared by both adapters.

Neo4j gets them from ``cypher/schema_neo4j.cypher`` (Neo4j 5 constraint syntax); FalkorDB
gets indexes from ``cypher/schema_falkordb.cypher`` and its constraints through its own
``GRAPH.CONSTRAINT`` command, which is not Cypher, so the adapter sends it from this table.
"""

NODE_KEYS: dict[str, str] = {
    "Chapter": "id",
    "KnowledgePoint": "id",
    "Question": "id",
    "Resource": "id",
    "Student": "id",
    "Tutor": "id",
    "Class": "id",
    "AffectEvent": "id",
    "LearningPath": "id",
    "Adjustment": "id",
    "Notification": "id",
    "User": "id",
    "LmsClient": "id",
    "RevokedToken": "id",
    "XapiStatement": "id",
    "LtiState": "id",
    "LtiLaunch": "id",
    "Assessment": "id",
    "Sitting": "id",
    "Calibration": "id",  # one per course: its last IRT refit
}
RELATIONSHIP_KEYS: dict[str, str] = {"ATTEMPTED": "event_id"}
