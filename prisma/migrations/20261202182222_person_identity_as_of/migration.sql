-- People are grouped from the mail up to each run's asOf (worker/relationships/directory.ts): a Person is
-- now found by its key (the smallest address of its group), and the name and address shown are kept on
-- each snapshot. Existing rows keep their snapshots: names and addresses are copied onto the snapshots,
-- each person gets the smallest of its addresses as key, and only the user's own addresses stay stored.

-- AlterTable
ALTER TABLE "RelationshipSnapshot" ADD COLUMN     "email" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "name" TEXT;

UPDATE "RelationshipSnapshot" s
SET "name" = p."displayName",
    "email" = COALESCE(p."primaryAddress", (SELECT min(pa.address) FROM "PersonAddress" pa WHERE pa."personId" = p.id), '')
FROM "Person" p
WHERE p.id = s."personId";

-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "key" TEXT;

UPDATE "Person" p
SET "key" = (SELECT min(pa.address) FROM "PersonAddress" pa WHERE pa."personId" = p.id)
WHERE NOT p."isSelf";

DELETE FROM "PersonAddress" pa USING "Person" p WHERE p.id = pa."personId" AND NOT p."isSelf";

ALTER TABLE "Person" DROP COLUMN "automationReason",
DROP COLUMN "displayName",
DROP COLUMN "primaryAddress";

-- CreateIndex
CREATE UNIQUE INDEX "Person_userId_key_key" ON "Person"("userId", "key");
