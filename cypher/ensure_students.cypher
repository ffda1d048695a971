// Students named by an LMS's xAPI actors; an existing student is left exactly as it is
UNWIND $rows AS r
MERGE (s:Student {id: r.id})
ON CREATE SET s.name = r.name, s.email = r.email, s.tenant = r.tenant, s.dataset = r.dataset,
              s.affect_consent = false, s.created = r.now
RETURN count(s) AS n
