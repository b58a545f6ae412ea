// Process helpers shared by the project's commands (Node only): a command learns when whoever launched it is gone.
export { watchLauncher } from './watchLauncher';
