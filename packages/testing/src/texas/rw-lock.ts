interface Waiter {
  readonly write: boolean;
  readonly grant: () => void;
}

/**
 * A fair reader-writer lock, like the tokio `RwLock` Texas keeps each provider behind: waiters
 * are served in arrival order, so a queued writer holds back readers that come after it. Texas
 * takes the write side to introspect (a JWKS refresh may happen) and the read side for everything
 * else, including a whole upstream token request.
 */
export class RwLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Waiter[] = [];

  async read<T>(body: () => Promise<T> | T): Promise<T> {
    await this.acquire(false);
    try {
      return await body();
    } finally {
      this.readers -= 1;
      this.drain();
    }
  }

  async write<T>(body: () => Promise<T> | T): Promise<T> {
    await this.acquire(true);
    try {
      return await body();
    } finally {
      this.writing = false;
      this.drain();
    }
  }

  private acquire(write: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ write, grant: resolve });
      this.drain();
    });
  }

  private drain(): void {
    for (;;) {
      const next = this.queue[0];
      if (next === undefined || this.writing) return;
      if (next.write) {
        if (this.readers > 0) return;
        this.writing = true;
      } else {
        this.readers += 1;
      }
      this.queue.shift();
      next.grant();
    }
  }
}
