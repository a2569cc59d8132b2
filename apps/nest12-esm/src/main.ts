// On NAIS: AZURE_*, MASKINPORTEN_* and ALTINN_SUBSCRIPTION_KEY are in the environment.
import { NestFactory } from '@nestjs/core';
import { appModule } from './app.module.js';

const subscriptionKey = process.env.ALTINN_SUBSCRIPTION_KEY;
const app = await NestFactory.create(appModule(subscriptionKey === undefined ? {} : { pdp: { environment: 'test', subscriptionKey } }));
await app.listen(Number(process.env.PORT ?? 8080));
