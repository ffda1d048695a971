// FalkorDB: exact-match indexes the unique constraints need (constraints are sent by the adapter)
CREATE INDEX FOR (n:Chapter) ON (n.id);
CREATE INDEX FOR (n:KnowledgePoint) ON (n.id);
CREATE INDEX FOR (n:Question) ON (n.id);
CREATE INDEX FOR (n:Resource) ON (n.id);
CREATE INDEX FOR (n:Student) ON (n.id);
CREATE INDEX FOR (n:Tutor) ON (n.id);
CREATE INDEX FOR (n:Class) ON (n.id);
CREATE INDEX FOR (n:AffectEvent) ON (n.id);
CREATE INDEX FOR (n:LearningPath) ON (n.id);
CREATE INDEX FOR (n:Adjustment) ON (n.id);
CREATE INDEX FOR (n:Notification) ON (n.id);
CREATE INDEX FOR (n:Notification) ON (n.status);
CREATE INDEX FOR (n:KnowledgePoint) ON (n.dataset);
CREATE INDEX FOR ()-[a:ATTEMPTED]-() ON (a.event_id);
