// Which of these student ids exist, with the tenant that owns each ('' for none)
UNWIND $ids AS id
MATCH (s:Student {id: id})
RETURN s.id AS id, coalesce(s.tenant, '') AS tenant
