// What the page knows about the demo's tasks without building their data: names, sizes, loss and
// metric. Kept apart from tasks.ts so that the page's main script does not bundle the library.

export type TaskName = 'sine' | 'symbols' | 'co2';
export const TASK_NAMES: readonly TaskName[] = ['sine', 'symbols', 'co2'];

/** What the page needs to know about a task before building its data (e.g. to match a loaded model). */
export interface TaskInfo {
  name: TaskName;
  title: string;
  /** Features per step and outputs per step (classes for symbols). */
  inputSize: number;
  outputSize: number;
  loss: 'mse' | 'crossEntropy';
  metric: 'accuracy' | 'mase';
}

export const TASKS: Record<TaskName, TaskInfo> = {
  sine: { name: 'sine', title: 'noisy sine wave', inputSize: 1, outputSize: 1, loss: 'mse', metric: 'mase' },
  symbols: { name: 'symbols', title: 'symbols', inputSize: 4, outputSize: 4, loss: 'crossEntropy', metric: 'accuracy' },
  co2: { name: 'co2', title: 'Mauna Loa CO₂', inputSize: 1, outputSize: 1, loss: 'mse', metric: 'mase' },
};

export const SYMBOLS = ['A', 'B', 'C', 'D'];
