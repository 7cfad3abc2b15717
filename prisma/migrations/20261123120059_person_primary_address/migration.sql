-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "primaryAddress" TEXT;
