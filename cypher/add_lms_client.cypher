CREATE (c:LmsClient {id: $client_id, name: $name, tenant: $tenant,
                     secret_hash: $secret_hash, created: $now})
RETURN c.id AS id
