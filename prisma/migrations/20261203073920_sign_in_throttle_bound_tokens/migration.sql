-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "tokenFormat" INTEGER;

-- AlterTable
ALTER TABLE "LoginCode" DROP COLUMN "failedAttempts";

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "subjectHash" TEXT NOT NULL,
    "clientHash" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "blockedUntil" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInThrottle_pkey" PRIMARY KEY ("subjectHash","clientHash")
);

-- CreateIndex
CREATE INDEX "SignInThrottle_lastFailureAt_idx" ON "SignInThrottle"("lastFailureAt");
