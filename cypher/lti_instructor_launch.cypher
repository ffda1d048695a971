// An LTI instructor's launch in one transaction: the tutor (created once; later launches only
// rename) teaching the LTI context's class (created with the tenant). $classes holds 0 or 1.
MERGE (t:Tutor {id: $tutor_id})
ON CREATE SET t.tenant = $tenant, t.dataset = '', t.created = $now
SET t.name = coalesce($name, t.name, ''), t.email = coalesce($email, t.email, '')
WITH t
CALL {
  WITH t
  UNWIND $classes AS c
  MERGE (k:Class {id: c.id})
  ON CREATE SET k.tenant = $tenant, k.dataset = $dataset, k.created = $now
  SET k.name = c.name
  MERGE (t)-[:TEACHES]->(k)
  RETURN count(k) AS classes
}
RETURN t.id AS tutor_id, classes
