import type { Worker } from 'node:worker_threads';
import { spawnGradientWorker } from './spawnGradientWorker';
import type { FromWorker, ToWorker } from './workerProtocol';

/** One model replica in a worker thread; requests are answered in the order they were sent. */
export class Replica {
  private readonly worker: Worker;
  private readonly pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(readonly index: number) {
    this.worker = spawnGradientWorker();
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'error') return this.fail(new Error(`training replica ${index} failed: ${message.message}`));
      this.pending.shift()?.resolve(message);
    });
    this.worker.on('error', (error) => this.fail(new Error(`training replica ${index} failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => this.fail(new Error(`training replica ${index} stopped (exit code ${code})`)));
  }

  /** Sends a message that is answered; rejects when the worker fails or stops first. */
  request<T extends FromWorker['type']>(message: ToWorker, expect: T, transfer: ArrayBuffer[] = []): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<FromWorker>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.worker.postMessage(message, transfer);
    return answer.then((m) => {
      if (m.type !== expect) throw new Error(`training replica ${this.index} answered '${m.type}' to '${message.type}'`);
      return m as Extract<FromWorker, { type: T }>;
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`training replica ${this.index} was stopped`);
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}
