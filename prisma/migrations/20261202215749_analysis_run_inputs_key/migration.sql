-- AlterTable
ALTER TABLE "AnalysisRun" ADD COLUMN     "inputsKey" TEXT;
