import { Schema } from 'mongoose';
import { connectMongo } from '../../adapters/mongo';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

jest.setTimeout(60_000);

test('a document written through mongoose reads back, and a unique index rejects a duplicate', async () => {
  const { connection, close } = await connectMongo(testConfig(), testLogger());
  const Model = connection.model(`ItProbe${uniqueSuffix()}`, new Schema({ uscc: { type: String, required: true }, name: String }));
  try {
    await Model.createCollection();
    await Model.collection.createIndex({ uscc: 1 }, { unique: true });
    await Model.create({ uscc: '91310000MA1FL8TQ6F', name: '上海某精密制造有限公司' });

    const read = await Model.findOne({ uscc: '91310000MA1FL8TQ6F' }).lean();
    expect(read?.name).toBe('上海某精密制造有限公司');

    await expect(Model.create({ uscc: '91310000MA1FL8TQ6F', name: 'duplicate' })).rejects.toMatchObject({ code: 11000 });
    expect(await Model.countDocuments({ uscc: '91310000MA1FL8TQ6F' })).toBe(1);
  } finally {
    await Model.collection.drop().catch(() => {});
    await close();
  }
});
