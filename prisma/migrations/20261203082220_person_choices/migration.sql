-- CreateTable
CREATE TABLE "PersonChoice" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "dismissedAt" TIMESTAMP(3),
    "snoozedUntil" TIMESTAMP(3),
    "important" BOOLEAN NOT NULL DEFAULT false,
    "everyDays" INTEGER,
    "toleranceDays" INTEGER,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PersonChoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CadenceGroup" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "tag" TEXT NOT NULL,
    "everyDays" INTEGER NOT NULL,
    "toleranceDays" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CadenceGroup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PersonChoice_userId_address_key" ON "PersonChoice"("userId", "address");

-- CreateIndex
CREATE UNIQUE INDEX "CadenceGroup_userId_tag_key" ON "CadenceGroup"("userId", "tag");

-- AddForeignKey
ALTER TABLE "PersonChoice" ADD CONSTRAINT "PersonChoice_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CadenceGroup" ADD CONSTRAINT "CadenceGroup_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
