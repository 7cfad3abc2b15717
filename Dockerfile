FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first (their layer survives source changes); generate + build once the sources are in.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run generate && npm run build
ENV NODE_ENV=production
EXPOSE 8080
# bin/rapport.js runs the built JavaScript in dist/.
CMD ["node", "bin/rapport.js", "serve"]
