/**
 * The dashboard's root: renders the controller's state as one frame and
 * hands every key to the controller. It re-renders when the controller says
 * the state changed (an append to the log, a key, an action's result), and
 * follows the terminal's size when `trackResize` is set.
 */
import { useInput, useStdout } from 'ink';
import { useEffect, useSyncExternalStore } from 'react';
import type { Dashboard } from '../controller.js';
import { frameLines } from '../frame.js';
import { Lines } from './Lines.js';

export function App({ dashboard, trackResize = false }: { dashboard: Dashboard; trackResize?: boolean }) {
  const state = useSyncExternalStore(dashboard.subscribe, dashboard.getState);
  const { stdout } = useStdout();
  useInput((input, key) => dashboard.key(input, key));
  useEffect(() => {
    if (!trackResize) return;
    const onResize = (): void => dashboard.resize({ columns: stdout.columns, rows: stdout.rows });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [dashboard, stdout, trackResize]);
  return <Lines lines={frameLines(state)} color={state.color} width={state.size.columns} />;
}
