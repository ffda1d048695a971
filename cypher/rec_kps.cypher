// The recommender's view of a dataset's KPs: curriculum order, chapter, prerequisites, fitted
// BKT, and the population prior (kgtutor train priors)
MATCH (k:KnowledgePoint {dataset: $dataset})
WHERE NOT coalesce(k.archived, false)
OPTIONAL MATCH (k)-[:IN_CHAPTER]->(c:Chapter)
OPTIONAL MATCH (p:KnowledgePoint)-[:PREREQUISITE_OF]->(k)
WHERE NOT coalesce(p.archived, false)
RETURN k.id AS id, k.name AS name, coalesce(c.order, 0) AS chapter_order, c.id AS chapter_id,
       collect(p.id) AS prerequisites, k.bkt_prior AS bkt_prior, k.bkt_learn AS bkt_learn,
       k.bkt_guess AS bkt_guess, k.bkt_slip AS bkt_slip, k.known_share AS known_share
ORDER BY chapter_order, id
