# One image for the gateway (and, later, the worker): TypeScript runs directly through tsx.
FROM node:20-slim
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install --global pnpm@10.34.8
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
ENV HOST=0.0.0.0 PORT=8787 NODE_ENV=production
EXPOSE 8787
USER node
CMD ["pnpm", "start"]
