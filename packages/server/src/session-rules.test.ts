import { describe, expect, it } from 'vitest';
import { SessionStatus, type SessionRecord } from './records.js';
import { closeSession, openChallenge, takeChallenge } from './session-rules.js';

const NOW = 1_000_000;
const pending: SessionRecord = {
  id: 'ses_1',
  version: 1,
  merchantId: 'mer_1',
  clientSecretHash: '00',
  amount: 100,
  currency: 'EUR',
  reference: 'r',
  purpose: 'pay',
  status: SessionStatus.Pending,
  attempts: 0,
  createdAt: NOW,
  expiresAt: NOW + 180_000,
};
const challenge = { nonce: 'n1', steps: ['blink' as const], issuedAt: NOW };

describe('session rules', () => {
  it('opens a challenge, replacing the previous one', () => {
    const first = openChallenge(pending, challenge, NOW);
    expect(first).toEqual({ next: { ...pending, challenge }, result: challenge });
    const second = openChallenge({ ...pending, challenge }, { ...challenge, nonce: 'n2' }, NOW + 1);
    expect('next' in second && second.next.challenge?.nonce).toBe('n2');
  });

  it('takes the open challenge with each attempt, at most three times', () => {
    let session: SessionRecord = pending;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const opened = openChallenge(session, challenge, NOW);
      if (!('next' in opened)) throw new Error('refused');
      const taken = takeChallenge(opened.next, NOW);
      expect(taken).toEqual({ next: { ...pending, attempts: attempt }, result: { challenge, attempt } });
      if (!('next' in taken)) throw new Error('refused');
      expect(takeChallenge(taken.next, NOW)).toEqual({ refusal: attempt < 3 ? 'challenge-missing' : 'attempts-exceeded' });
      session = taken.next;
    }
    expect(openChallenge(session, challenge, NOW)).toEqual({ refusal: 'attempts-exceeded' });
    expect(takeChallenge({ ...session, challenge }, NOW)).toEqual({ refusal: 'attempts-exceeded' });
  });

  it('refuses everything once expired or closed', () => {
    const open = { ...pending, challenge };
    expect(openChallenge(pending, challenge, pending.expiresAt)).toEqual({ refusal: 'session-expired' });
    expect(takeChallenge(open, pending.expiresAt)).toEqual({ refusal: 'session-expired' });
    for (const status of [SessionStatus.Verified, SessionStatus.Failed]) {
      expect(openChallenge({ ...pending, status }, challenge, NOW)).toEqual({ refusal: 'session-closed' });
      expect(takeChallenge({ ...open, status }, NOW)).toEqual({ refusal: 'session-closed' });
      expect(closeSession({ ...pending, status }, SessionStatus.Verified)).toEqual({ refusal: 'session-closed' });
    }
  });

  it('closes a pending session once, remembering the token id', () => {
    expect(closeSession(pending, SessionStatus.Verified, 'tok_1')).toEqual({ next: { ...pending, status: 'verified', tokenId: 'tok_1' }, result: undefined });
    expect(closeSession(pending, SessionStatus.Failed)).toEqual({ next: { ...pending, status: 'failed' }, result: undefined });
  });
});
