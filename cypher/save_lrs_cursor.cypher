// Move the LRS cursor forward, never back: a slower second sync (another process) that
// imported an older page leaves the newer cursor in place; at the same instant the ids of the
// statements seen there are merged, so neither process re-reads the other's boundary
MERGE (c:LrsCursor {id: $id})
ON CREATE SET c.stored = $stored, c.stored_us = $stored_us, c.ids = $ids
WITH c, c.stored_us AS old
FOREACH (_ IN CASE WHEN $stored_us > old THEN [1] ELSE [] END |
  SET c.stored = $stored, c.stored_us = $stored_us, c.ids = $ids)
FOREACH (_ IN CASE WHEN $stored_us = old THEN [1] ELSE [] END |
  SET c.ids = c.ids + [i IN $ids WHERE NOT i IN c.ids])
SET c.updated = $now
RETURN c.stored AS stored, c.stored_us AS stored_us, c.ids AS ids
