import { json } from '@sveltejs/kit';
import { readClientConfig } from '#lib/config.ts';
import type { RequestHandler } from './$types';

const config = readClientConfig(process.env);

export const GET: RequestHandler = () => json(config, { headers: { 'Cache-Control': 'no-store' } });
