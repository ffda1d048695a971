MATCH (c:LmsClient {id: $client_id})
RETURN c.id AS client_id, c.name AS name, c.tenant AS tenant, c.secret_hash AS secret_hash
