/** What the Veo SDK tests share: waiting on an operation, and a service-account client of the simulator's key. */
import type { GenerateVideosOperation, GoogleGenAI } from '@google/genai';
import { JWT } from 'google-auth-library';

/** Polls the operation through the SDK until it is done (20 s at most). */
export async function waitForVideoOperation(ai: GoogleGenAI, operation: GenerateVideosOperation): Promise<GenerateVideosOperation> {
  const deadline = Date.now() + 20_000;
  let op = operation;
  while (!op.done) {
    if (Date.now() > deadline) throw new Error(`operation ${op.name} did not finish`);
    await new Promise((r) => setTimeout(r, 50));
    op = await ai.operations.getVideosOperation({ operation: op });
  }
  return op;
}

/** The key's own google-auth-library client, its grants sent to the key's token_uri (the simulator). */
export function serviceAccountClient(json: string): JWT {
  const key = JSON.parse(json) as { client_email: string; private_key: string; private_key_id?: string; token_uri: string };
  const jwt = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  jwt.transporter.interceptors.request.add({
    resolved: async (o) => {
      o.url = new URL(key.token_uri);
      return o;
    },
  });
  return jwt;
}
