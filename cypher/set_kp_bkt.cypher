// Per-KP BKT parameters fitted on the stored answers (kgtutor train bkt): mastery tracing and
// the recommender's expected-gain signal read them; own = false marks the pooled fallback
UNWIND $rows AS r
MATCH (k:KnowledgePoint {id: r.id})
SET k.bkt_prior = r.prior, k.bkt_learn = r.learn, k.bkt_guess = r.guess, k.bkt_slip = r.slip,
    k.bkt_own = r.own
RETURN count(k) AS n
