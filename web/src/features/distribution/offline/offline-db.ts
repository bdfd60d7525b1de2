/**
 * The point-of-service app's offline storage, in IndexedDB (the raw API behind a few promises):
 * the device's public facts (`device`), its keys wrapped under each operator's passphrase
 * (`vault`, offline-vault.ts), and — sealed with the device's data key, never in clear — the
 * signed snapshot as downloaded and the receipts made offline until a sync answers them.
 *
 * Version 2 (the local unlock, review finding F5) drops version 1's stores: they held the
 * private key as a CryptoKey (its raw bytes in the profile's files) and the snapshot and the
 * receipts' card QR texts in clear. A device upgraded with receipts still pending loses them
 * (they were v3, which the server now refuses anyway): sync before upgrading.
 *
 * @example
 *   await putValue('device', pointId, device);
 *   const pending = await allValues<PendingReceipt>('pending');
 */
const databaseName = 'amparo-pos';
const stores = ['device', 'vault', 'snapshot', 'pending'] as const;
export type StoreName = (typeof stores)[number];

let opened: Promise<IDBDatabase> | undefined;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
      for (const name of stores) db.createObjectStore(name);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

function run<T>(
  name: StoreName,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  return database().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(name, mode);
        const request = work(transaction.objectStore(name));
        transaction.oncomplete = () => resolve(request.result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      }),
  );
}

export function getValue<T>(name: StoreName, key: string): Promise<T | undefined> {
  // Safe: each store holds the one shape its callers put in it.
  return run(name, 'readonly', (store) => store.get(key)) as Promise<T | undefined>;
}

export async function putValue(name: StoreName, key: string, value: unknown): Promise<void> {
  await run(name, 'readwrite', (store) => store.put(value, key));
}

export async function deleteValue(name: StoreName, key: string): Promise<void> {
  await run(name, 'readwrite', (store) => store.delete(key));
}

export function allValues<T>(name: StoreName): Promise<T[]> {
  // Safe: as for getValue.
  return run(name, 'readonly', (store) => store.getAll()) as Promise<T[]>;
}
