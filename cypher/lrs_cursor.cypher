// Where the LRS sync stands for one LRS (keyed by its xAPI root); no row: from the beginning
MATCH (c:LrsCursor {id: $id})
RETURN c.stored AS stored, c.stored_us AS stored_us, c.ids AS ids
