// The goal and all its ancestors, each with its direct prerequisites (all inside the set) and its
// chapter's order: the subgraph a learning path is planned on. Rows in curriculum order.
MATCH (g:KnowledgePoint {id: $goal})
OPTIONAL MATCH (a:KnowledgePoint)-[:PREREQUISITE_OF*1..]->(g)
WITH g, collect(DISTINCT a) AS ancestors
UNWIND ancestors + [g] AS k
OPTIONAL MATCH (pre:KnowledgePoint)-[:PREREQUISITE_OF]->(k)
OPTIONAL MATCH (k)-[:IN_CHAPTER]->(c:Chapter)
RETURN k.id AS id, coalesce(c.order, 0) AS chapter_order, collect(DISTINCT pre.id) AS prerequisites
ORDER BY chapter_order, id
