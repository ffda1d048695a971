// The curriculum a tenant's students follow (the first student's), for students an LMS creates
MATCH (s:Student)
WHERE s.tenant = $tenant AND s.dataset IS NOT NULL
RETURN s.dataset AS dataset
ORDER BY s.id
LIMIT 1
