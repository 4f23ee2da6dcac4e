/** What the cross-institution tests share: the all-in-one deployment and its story. */
export {
  apiClient,
  seedDemo,
  startDari,
  walkStory as walkStoryForTest,
  PARTICIPANTS,
  WALLET_CODE_PREFIX,
  type ApiClient,
  type Dari,
  type DemoCredentials,
  type StoryStep,
} from '../../src/all-in-one/index.ts';
