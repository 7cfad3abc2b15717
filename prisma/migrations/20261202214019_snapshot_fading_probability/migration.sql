-- AlterTable
ALTER TABLE "RelationshipSnapshot" ADD COLUMN     "fadingProbability" DOUBLE PRECISION;
