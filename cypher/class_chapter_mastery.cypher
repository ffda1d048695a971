// A class's mastery per chapter: mean BKT p over its students' estimates on the chapter's KPs,
// how many students and KPs those estimates cover, and how many reach $threshold
MATCH (s:Student)-[:MEMBER_OF]->(:Class {id: $class_id})
MATCH (s)-[m:MASTERY]->(k:KnowledgePoint)-[:IN_CHAPTER]->(c:Chapter)
WITH c, avg(m.p) AS mastery, count(DISTINCT s) AS students, count(DISTINCT k) AS practised,
     count(CASE WHEN m.p >= $threshold THEN 1 END) AS mastered, count(m) AS estimates
MATCH (x:KnowledgePoint)-[:IN_CHAPTER]->(c)
RETURN c.id AS chapter_id, c.name AS name, coalesce(c.order, 0) AS order, count(x) AS kps,
       practised, students, mastery, mastered, estimates
ORDER BY order, chapter_id
