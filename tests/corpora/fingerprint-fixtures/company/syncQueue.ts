import { EventEmitter } from "events";
import type { Session, SyncOptions } from "./types";

const DEFAULT_BATCH = 50;

/** Pushes local edits to the sync service in ordered batches, retrying with backoff. */
export class SyncQueue extends EventEmitter {
  private pending: Session[] = [];
  private inFlight = false;
  private attempts = 0;

  constructor(private readonly endpoint: string, private readonly options: SyncOptions = {}) {
    super();
  }

  enqueue(session: Session): void {
    const existing = this.pending.findIndex((s) => s.id === session.id);
    if (existing >= 0) {
      this.pending[existing] = { ...this.pending[existing], ...session, revision: session.revision };
    } else {
      this.pending.push(session);
    }
    void this.flush();
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.pending.length === 0) {
      return;
    }
    this.inFlight = true;
    const batch = this.pending.splice(0, this.options.batchSize ?? DEFAULT_BATCH);
    try {
      const response = await fetch(`${this.endpoint}/sessions/batch`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sessions: batch, client: this.options.clientId }),
      });
      if (!response.ok) {
        throw new Error(`sync failed with ${response.status}`);
      }
      this.attempts = 0;
      this.emit("synced", batch.map((s) => s.id));
    } catch (error) {
      this.pending.unshift(...batch);
      this.attempts += 1;
      const delay = Math.min(30000, 250 * 2 ** this.attempts);
      setTimeout(() => void this.flush(), delay);
      this.emit("error", error);
    } finally {
      this.inFlight = false;
    }
  }
}
