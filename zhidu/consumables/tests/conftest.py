import pytest

from zhidu.core.testing import make_unit, make_user

from .factories import ItemFactory, LocationFactory


@pytest.fixture
def roles(db):
    from zhidu.org.roles import seed_roles

    seed_roles()


@pytest.fixture
def world(roles):
    """A company with two departments, a keeper, IT staff, a department head and an employee."""
    company = make_unit("公司")
    office = make_unit("办公室", parent=company)
    sales = make_unit("销售部", parent=company)
    other = make_unit("财务部", parent=company)
    keeper = make_user(username="keeper", name="耗材管理员", department=office, roles=["consumables_keeper"])
    staff = make_user(username="itstaff", name="IT", department=office, roles=["it_staff"])
    head = make_user(username="head", name="销售经理", department=sales, roles=[("dept_head", sales)])
    employee = make_user(username="emp", name="张三", department=sales, roles=["employee"])
    outsider = make_user(username="out", name="李四", department=other, roles=["employee"])
    warehouse = LocationFactory(code="WH", name="耗材库")
    item = ItemFactory(name="硒鼓 CF226A", reorder_level=2)
    return {"company": company, "office": office, "sales": sales, "other": other, "keeper": keeper, "staff": staff,
            "head": head, "employee": employee, "outsider": outsider, "warehouse": warehouse, "item": item}
