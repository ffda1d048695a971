// Digests of stored statements: the same id with another digest is a conflicting statement
UNWIND $ids AS id
MATCH (x:XapiStatement {id: id})
RETURN x.id AS id, x.digest AS digest
