// Start with the AZURE_* variables set (on NAIS they are): node src/main.js
const { NestFactory } = require('@nestjs/core');
const { appModule } = require('./app');

async function main() {
  const app = await NestFactory.create(appModule(process.env));
  await app.listen(Number(process.env.PORT ?? 8080));
}

main();
