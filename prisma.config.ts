import { defineConfig } from 'prisma/config';

// Prisma 7 reads the datasource URL from here; `.env` is not loaded automatically. The Prisma CLI's own
// migrate takes a session advisory lock, so it gets the direct URL when DATABASE_URL is a pooler.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url:
      process.env.DIRECT_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgresql://postgres@127.0.0.1:5432/test',
  },
});
