// Neo4j 5: uniqueness constraints (each backs an index) and lookup indexes
CREATE CONSTRAINT chapter_id IF NOT EXISTS FOR (n:Chapter) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kp_id IF NOT EXISTS FOR (n:KnowledgePoint) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT question_id IF NOT EXISTS FOR (n:Question) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT resource_id IF NOT EXISTS FOR (n:Resource) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT student_id IF NOT EXISTS FOR (n:Student) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT tutor_id IF NOT EXISTS FOR (n:Tutor) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT class_id IF NOT EXISTS FOR (n:Class) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT affect_event_id IF NOT EXISTS FOR (n:AffectEvent) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT learning_path_id IF NOT EXISTS FOR (n:LearningPath) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT adjustment_id IF NOT EXISTS FOR (n:Adjustment) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT notification_id IF NOT EXISTS FOR (n:Notification) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT lms_client_id IF NOT EXISTS FOR (n:LmsClient) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT revoked_token_id IF NOT EXISTS FOR (n:RevokedToken) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT xapi_statement_id IF NOT EXISTS FOR (n:XapiStatement) REQUIRE n.id IS UNIQUE;
CREATE INDEX notification_status IF NOT EXISTS FOR (n:Notification) ON (n.status);
CREATE INDEX kp_dataset IF NOT EXISTS FOR (n:KnowledgePoint) ON (n.dataset);
CREATE CONSTRAINT attempt_event_id IF NOT EXISTS FOR ()-[a:ATTEMPTED]-() REQUIRE a.event_id IS UNIQUE;
