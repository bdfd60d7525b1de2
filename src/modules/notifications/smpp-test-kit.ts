import type { AddressInfo } from 'node:net';
import smpp, { type Pdu, type Session } from 'smpp';

/** A submit_sm as the test SMS centre received it. */
export interface ReceivedSubmit {
  messageId: string;
  to: string;
  dataCoding: number;
  esmClass: number;
  /** [reference, total, part] from a concatenation UDH, or null for a single SMS. */
  concat: [number, number, number] | null;
  text: string;
  at: number;
}

/**
 * A real SMS centre on 127.0.0.1 from the same `smpp` package's server side (not a mock):
 * accepts a transceiver bind, answers submit_sm with its own message ids, and can send
 * deliver_sm receipts and replies back over the bind.
 */
export interface TestSmsc {
  url: string;
  submits: ReceivedSubmit[];
  /** Most submit_sm received and not yet answered at one time. */
  maxInFlight: number;
  /** Delay before each submit_sm_resp (to make the window visible). */
  responseDelayMs: number;
  /** The next `n` submits are answered ESME_RTHROTTLED. */
  throttleNext: number;
  receipt(messageId: string, state: 'DELIVRD' | 'UNDELIV'): Promise<void>;
  reply(from: string, text: string): Promise<void>;
  /**
   * Any deliver_sm, as malformed as a test wants (fields as the `smpp` package takes them):
   * resolves to the command_status of each bound session's deliver_sm_resp.
   */
  deliver(fields: Record<string, unknown>): Promise<number[]>;
  /** Drops every bound session (the provider must reconnect). */
  dropSessions(): void;
  close(): Promise<void>;
}

/** `idPrefix`: the centre's message ids are `<idPrefix><n>` (tests sharing a database differ). */
export async function startTestSmsc(idPrefix = 'smsc-'): Promise<TestSmsc> {
  let next = 1;
  let inFlight = 0;
  const sessions = new Set<Session>();
  const smsc: TestSmsc = {
    url: '',
    submits: [],
    maxInFlight: 0,
    responseDelayMs: 0,
    throttleNext: 0,
    receipt: (messageId, state) =>
      toEach({
        source_addr: '584120000000',
        destination_addr: 'AMPARO',
        esm_class: 0x04,
        short_message: `id:${messageId} sub:001 dlvr:001 submit date:2612041200 done date:2612041201 stat:${state} err:000 text:`,
        receipted_message_id: messageId,
        message_state: state === 'DELIVRD' ? 2 : 5,
      }),
    reply: (from, text) =>
      toEach({ source_addr: from, destination_addr: 'AMPARO', esm_class: 0, short_message: text }),
    deliver: (fields) =>
      Promise.all(
        [...sessions].map(
          (session) =>
            new Promise<number>((resolve) => {
              session.deliver_sm(fields, (response: Pdu) =>
                resolve(Number(response.command_status)),
              );
            }),
        ),
      ),
    dropSessions() {
      for (const session of sessions) session.destroy();
      sessions.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        smsc.dropSessions();
        server.close(() => resolve());
      }),
  };
  const toEach = async (fields: Record<string, unknown>) => {
    await Promise.all(
      [...sessions].map(
        (session) =>
          new Promise<void>((resolve) => {
            session.deliver_sm(fields, () => resolve());
          }),
      ),
    );
  };
  const server = smpp.createServer({}, (session: Session) => {
    session.on('bind_transceiver', (pdu: Pdu) => {
      sessions.add(session);
      session.send(pdu.response());
    });
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
    session.on('unbind', (pdu: Pdu) => session.send(pdu.response()));
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('submit_sm', (pdu: Pdu) => {
      inFlight += 1;
      smsc.maxInFlight = Math.max(smsc.maxInFlight, inFlight);
      const answer = () => {
        inFlight -= 1;
        if (smsc.throttleNext > 0) {
          smsc.throttleNext -= 1;
          session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
          return;
        }
        const messageId = `${idPrefix}${next++}`;
        const body = pdu.short_message as { udh?: Buffer[]; message: string };
        const udh = body.udh?.[0];
        smsc.submits.push({
          messageId,
          to: String(pdu.destination_addr),
          dataCoding: Number(pdu.data_coding),
          esmClass: Number(pdu.esm_class),
          concat: udh && udh[0] === 0x00 ? [udh[2] ?? 0, udh[3] ?? 0, udh[4] ?? 0] : null,
          text: body.message,
          at: Date.now(),
        });
        session.send(pdu.response({ message_id: messageId }));
      };
      if (smsc.responseDelayMs > 0) setTimeout(answer, smsc.responseDelayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  smsc.url = `smpp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return smsc;
}
