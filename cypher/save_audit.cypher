// One change of the curriculum: who, when, what
CREATE (e:AuditEntry {id: $id, ts: $ts, who: $who, action: $action, target: $target,
                      dataset: $dataset, details: $details})
RETURN e.id AS id
